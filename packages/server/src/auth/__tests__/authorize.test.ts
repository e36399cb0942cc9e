import {
  ACTIONS,
  AuthError,
  Authenticator,
  BUILTIN_ROLES,
  authorize,
  validateAuthConfig,
} from '../index.ts';
import type { Action } from '../index.ts';

// Written out by hand (not derived from BUILTIN_ROLES) so that a change to a role shows up here.
// Columns: assert:trusted, assert:untrusted, assert:unsupported, evidence, read, revoke.
const MATRIX: Record<string, string> = {
  pipeline: 'YYNYYN',
  scanner: 'YYNYYN',
  qa: 'YYNYYN',
  legal: 'YYNNYN',
  pm: 'NNYNYN',
  auditor: 'NNNNYN',
  admin: 'YYYYYY',
};
const COLUMNS: Action[] = [
  'assert:trusted',
  'assert:untrusted',
  'assert:unsupported',
  'evidence',
  'read',
  'revoke',
];

const cases = Object.entries(MATRIX).flatMap(([role, row]) =>
  COLUMNS.map((action, i) => [role, action, row[i] === 'Y'] as const),
);

describe('authorization matrix of the built-in roles', () => {
  it('covers every built-in role and every action', () => {
    expect(Object.keys(BUILTIN_ROLES).sort()).toEqual(Object.keys(MATRIX).sort());
    expect([...ACTIONS].sort()).toEqual([...COLUMNS].sort());
  });

  it.each(cases)('%s %s -> %s', (role, action, allowed) => {
    const principal = { name: `someone-${role}`, role };
    if (allowed) {
      expect(() => authorize(principal, action)).not.toThrow();
    } else {
      let error: unknown;
      try {
        authorize(principal, action);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).code).toBe('AUTH_FORBIDDEN');
      expect((error as AuthError).category).toBe('forbidden');
      expect((error as AuthError).httpStatus).toBe(403);
      expect((error as AuthError).message).toContain(`someone-${role}`);
      expect((error as AuthError).message).toContain(role);
    }
  });
});

describe('authorize', () => {
  it('says what the role may do instead', () => {
    expect(() => authorize({ name: 'pm-bot', role: 'pm' }, 'assert:trusted')).toThrow(
      /may not assert "trusted"; it may assert unsupported/,
    );
    expect(() => authorize({ name: 'aud', role: 'auditor' }, 'revoke')).toThrow(
      /revoke identities/,
    );
  });

  it('refuses a role the table does not define', () => {
    expect(() => authorize({ name: 'x', role: 'superuser' }, 'read')).toThrow(/does not define/);
    expect(() => authorize({ name: 'x', role: 'toString' }, 'read')).toThrow(AuthError);
  });

  it('refuses an unknown action', () => {
    expect(() => authorize({ name: 'x', role: 'admin' }, 'assert:unknown' as Action)).toThrow(
      /Unknown action/,
    );
  });

  it('uses the roles of the config: redefined and added roles', () => {
    const config = validateAuthConfig({
      roles: {
        pm: { assert: ['unsupported', 'untrusted'] },
        release: { assert: ['trusted'], evidence: true },
        blind: { read: false },
      },
    });
    const auth = new Authenticator(config);
    const p = (role: string) => ({ name: 'n', role, auth: 'apikey' as const, claims: {} });
    expect(() => auth.authorize(p('pm'), 'assert:untrusted')).not.toThrow();
    expect(() => auth.authorize(p('release'), 'assert:trusted')).not.toThrow();
    expect(() => auth.authorize(p('release'), 'evidence')).not.toThrow();
    expect(() => auth.authorize(p('release'), 'assert:untrusted')).toThrow(AuthError);
    expect(() => auth.authorize(p('release'), 'revoke')).toThrow(AuthError);
    expect(() => auth.authorize(p('blind'), 'read')).toThrow(AuthError);
    // The built-in table is untouched.
    expect(() => authorize(p('pm'), 'assert:untrusted')).toThrow(AuthError);
    expect(() => authorize(p('release'), 'read')).toThrow(AuthError);
  });
});
