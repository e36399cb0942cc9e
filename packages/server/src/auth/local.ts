/**
 * The principal of a `file:` ledger (`--as NAME`): no credential, the OS's file permissions are
 * the boundary (docs/cli.md). With a config, the name must be one of its `identities`;
 * without one the ledger is single-user and the caller may do everything (role `admin`).
 */
import type { AuthConfig } from './config.ts';
import { AuthError } from './errors.ts';
import { isIdentityName } from './names.ts';
import type { Principal } from './principal.ts';

export function localPrincipal(name: string, config?: AuthConfig): Principal {
  if (!isIdentityName(name)) {
    throw new AuthError(
      'AUTH_UNKNOWN_IDENTITY',
      'An identity name is 1-256 characters without spaces; pass --as NAME or set NOTARIZE_IDENTITY.',
    );
  }
  if (config === undefined) return { name, role: 'admin', auth: 'local', claims: {} };
  const identity = Object.hasOwn(config.identities, name) ? config.identities[name] : undefined;
  if (identity === undefined) {
    throw new AuthError(
      'AUTH_UNKNOWN_IDENTITY',
      `Identity "${name}" is not under identities: in the ledger's config; use one that is, or ask its admin to add it.`,
    );
  }
  return { name, role: identity.role, auth: 'local', claims: {} };
}
