/**
 * Who may do what over HTTP. Reads: anonymous when the config allows it (always without a
 * config, where credentials are ignored), else a principal whose role has `read`. Writes: never
 * without a config (READ_ONLY); otherwise an authenticated principal whose role allows the action.
 */
import type { Principal } from '../auth/principal.ts';
import type { Action } from '../auth/roles.ts';
import { ServiceError } from './errors.ts';
import type { RequestContext } from './context.ts';

export async function authorizeRead(ctx: RequestContext): Promise<void> {
  const { config, authenticator } = ctx.parts;
  const hasCredential = ctx.req.headers.authorization !== undefined;
  if (!config.writable) return;
  if (!hasCredential) {
    if (config.anonymousRead) return;
    throw new ServiceError(
      'UNAUTHENTICATED',
      'this ledger requires credentials to read: send Authorization: Bearer <API key or OIDC token>',
      {
        headers: { 'www-authenticate': 'Bearer' },
      },
    );
  }
  const principal = await authenticator.authenticate(ctx.req.headers);
  ctx.principal = principal;
  authenticator.authorize(principal, 'read');
}

export async function authenticateWriter(ctx: RequestContext): Promise<Principal> {
  const { config, authenticator } = ctx.parts;
  if (!config.writable) {
    throw new ServiceError(
      'READ_ONLY',
      'this ledger service runs without a config and is read-only; start it with --config to accept writes',
    );
  }
  const principal = await authenticator.authenticate(ctx.req.headers);
  ctx.principal = principal;
  if (await ctx.parts.revocations.isRevoked(principal.name)) {
    throw new ServiceError(
      'IDENTITY_REVOKED',
      `identity "${principal.name}" was revoked on this ledger; ask its admin for a new identity`,
    );
  }
  return principal;
}

export function authorizeAction(ctx: RequestContext, principal: Principal, action: Action): void {
  ctx.parts.authenticator.authorize(principal, action);
}
