/**
 * Roles and authorization (docs/trust-model.md): a role says which statuses an identity may
 * assert, whether it may add evidence, read, and administer (revoke identities).
 */
import { ASSERTABLE_STATUSES } from '@notarize/trust';
import type { AssertableStatus } from '@notarize/trust';
import { AuthError } from './errors.ts';
import type { Principal } from './principal.ts';

export interface RoleDefinition {
  assert: AssertableStatus[];
  evidence: boolean;
  read: boolean;
  admin: boolean;
}

export type RoleTable = Readonly<Record<string, Readonly<RoleDefinition>>>;

export type Action = `assert:${AssertableStatus}` | 'evidence' | 'read' | 'revoke';

export const ACTIONS: readonly Action[] = [
  ...ASSERTABLE_STATUSES.map((s): Action => `assert:${s}`),
  'evidence',
  'read',
  'revoke',
];

const role = (
  assert: AssertableStatus[],
  evidence: boolean,
  admin = false,
): Readonly<RoleDefinition> => Object.freeze({ assert, evidence, read: true, admin });

/**
 * Built-in roles; a config's `roles:` may redefine them or add others.
 * - pipeline: the build that produced the artifact: trusted/untrusted, evidence (logs, SBOMs).
 * - scanner: security scanners: trusted/untrusted, evidence (scan reports).
 * - qa: testers' approvals: trusted/untrusted, evidence (test reports).
 * - legal: license/compliance sign-off: trusted/untrusted, no evidence.
 * - pm: product management declares end of life: unsupported only.
 * - auditor: reads everything, writes nothing.
 * - admin: everything, including revoking identities.
 */
export const BUILTIN_ROLES: RoleTable = Object.freeze({
  pipeline: role(['trusted', 'untrusted'], true),
  scanner: role(['trusted', 'untrusted'], true),
  qa: role(['trusted', 'untrusted'], true),
  legal: role(['trusted', 'untrusted'], false),
  pm: role(['unsupported'], false),
  auditor: role([], false),
  admin: role(['trusted', 'untrusted', 'unsupported'], true, true),
});

export function isAction(value: string): value is Action {
  return (ACTIONS as readonly string[]).includes(value);
}

export function allows(def: Readonly<RoleDefinition>, action: Action): boolean {
  switch (action) {
    case 'evidence':
      return def.evidence;
    case 'read':
      return def.read;
    case 'revoke':
      return def.admin;
    default:
      return def.assert.includes(action.slice('assert:'.length) as AssertableStatus);
  }
}

const WHAT: Record<string, string> = {
  evidence: 'add evidence',
  read: 'read the ledger',
  revoke: 'revoke identities',
};

/** Throws AUTH_FORBIDDEN unless the principal's role allows the action. */
export function authorize(
  principal: Pick<Principal, 'name' | 'role'>,
  action: Action,
  roles: RoleTable = BUILTIN_ROLES,
): void {
  const def = Object.hasOwn(roles, principal.role) ? roles[principal.role] : undefined;
  if (def === undefined) {
    throw new AuthError(
      'AUTH_FORBIDDEN',
      `Identity "${principal.name}" has role "${principal.role}", which the ledger's config does not define; ask the ledger's admin to define it.`,
    );
  }
  if (!isAction(action)) {
    throw new AuthError('AUTH_FORBIDDEN', `Unknown action "${String(action)}".`);
  }
  if (!allows(def, action)) {
    const what = WHAT[action] ?? `assert "${action.slice('assert:'.length)}"`;
    const may =
      def.assert.length > 0 ? `it may assert ${def.assert.join(', ')}` : 'it may assert nothing';
    throw new AuthError(
      'AUTH_FORBIDDEN',
      `Identity "${principal.name}" (role "${principal.role}") may not ${what}; ${may}. ` +
        'Use an identity whose role allows it, or ask the ledger admin to change the role.',
    );
  }
}
