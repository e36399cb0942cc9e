/**
 * The built-in policy of `notarize status` without `--policy` (docs/cli.md): at least one
 * `trusted`, and no `untrusted`, `unsupported` or `revoked`. Block order decides the exit code when
 * several apply: untrusted (1) before unsupported (3) before revoked (4).
 */
import type { Policy } from './types.ts';

export const DEFAULT_POLICY_YAML = `version: 1
require:
  - {status: trusted}
block:
  - {status: untrusted}
  - {status: unsupported}
  - {status: revoked}
`;

export const DEFAULT_POLICY: Policy = Object.freeze({
  version: 1,
  source: 'built-in',
  keys: [],
  require: [{ where: 'require[0]', line: 0, status: 'trusted', min: 1 }],
  block: [
    { where: 'block[0]', line: 0, status: 'untrusted', min: 1 },
    { where: 'block[1]', line: 0, status: 'unsupported', min: 1 },
    { where: 'block[2]', line: 0, status: 'revoked', min: 1 },
  ],
}) as Policy;
