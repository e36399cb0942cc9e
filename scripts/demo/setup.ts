/**
 * The demo's fixed cast and documents: who is who (identities and roles), the release policy,
 * the ledger's role config (for the embedded ledger) and the service config (API keys).
 */

/** The pipeline's identity: on a `file:` ledger inside GitHub Actions, `github:<repository>`. */
export const PIPELINE = 'github:acme/widgets';
export const QA = 'qa-alice';
export const SCANNER = 'trivy';
export const PM = 'pm-bob';

/** The environment of a GitHub Actions job of acme/widgets (what the runner sets). */
export function githubJobEnv(runId: string, job: string, ref: string): NodeJS.ProcessEnv {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/widgets',
    GITHUB_RUN_ID: runId,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: job,
    GITHUB_SHA: `${runId.padStart(8, '0')}${'c0ffee'.repeat(6)}ab`.slice(0, 40),
    GITHUB_REF: ref,
    GITHUB_SERVER_URL: 'https://github.com',
  };
}

/** The release policy the gate decides with. */
export const RELEASE_POLICY = `version: 1
block: # any match blocks, checked first
  - { status: untrusted } # anyone's finding
  - { role: pm, status: unsupported } # end of life
require: # every rule must be met
  - { identity: "${PIPELINE}", status: trusted } # our pipeline built it
  - { role: qa, status: trusted } # and QA approved it
`;

const IDENTITIES = `identities:
  "${PIPELINE}": { role: pipeline }
  ${QA}: { role: qa }
  ${SCANNER}: { role: scanner }
  ${PM}: { role: pm }
`;

/** `<ledger dir>/config.yaml`: roles for the embedded ledger (who may assert what). */
export const LEDGER_CONFIG = `# Who may assert what on this ledger (built-in roles: pipeline, scanner, qa, legal, pm, auditor, admin)
${IDENTITIES}`;

/** The service config: the same identities, each party with an API key (only its hash here). */
export function serviceConfig(ledgerDir: string, keyHashes: Record<string, string>): string {
  const keys = Object.entries(keyHashes)
    .map(([identity, hash]) => `  - { hash: "${hash}", identity: ${identity} }`)
    .join('\n');
  return `version: 1
storage: file:${ledgerDir}
listen: 127.0.0.1:0
anonymousRead: true
log: { level: warn }
${IDENTITIES}apiKeys:
${keys}
`;
}
