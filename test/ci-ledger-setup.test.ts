/**
 * Issue 14 items 4, 6 and 7 through the CLI: in CI a service ledger's key must be pinned (no trust
 * on first use, which a fresh job would do every time), an unset ledger is an error instead of a
 * throwaway `file:.notarize`, read commands never create a `file:` ledger, and revoking an identity
 * the ledger does not know needs --force.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { notarizeCli } from './support/cli.ts';
import { startHarness, type Harness } from './support/service-harness.ts';

const CI_ENVS: [string, NodeJS.ProcessEnv][] = [
  [
    'GitHub Actions',
    {
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'acme/widgets',
      GITHUB_RUN_ID: '5555',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'build',
    },
  ],
  [
    'GitLab CI',
    { GITLAB_CI: 'true', CI_PROJECT_PATH: 'acme/widgets', CI_PIPELINE_ID: '7', CI_JOB_ID: '8' },
  ],
  ['another CI (CI=true)', { CI: 'true' }],
];

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness({ config: { anonymousRead: true } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'ci-ledger-'));
  await writeFile(path.join(dir, 'app.txt'), 'app\n');
  await writeFile(path.join(dir, 'policy.yml'), 'version: 1\nrequire:\n  - {status: trusted}\n');
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

const run = (argv: string[], env: NodeJS.ProcessEnv) =>
  notarizeCli(argv, { cwd: dir, env: { NOTARIZE_STATE: path.join(dir, 'state.json'), ...env } });

describe('item 6: in CI a service ledger needs its key', () => {
  it.each(CI_ENVS)(
    '%s: every command without the key is exit 10 naming where to get it',
    async (_n, ci) => {
      for (const argv of [
        ['status', 'app.txt'],
        ['trust', 'app.txt'],
        ['history', 'app.txt'],
        ['evidence', 'get', '--job', '1', '--project', 'acme/widgets', '--provider', 'github'],
      ]) {
        const res = await run([...argv, '--ledger', h.url], {
          ...ci,
          NOTARIZE_TOKEN: h.keys.pipeline,
        });
        expect(res.code).toBe(10);
        expect(res.stderr).toMatch(/no pinned key/);
        expect(res.stderr).toMatch(/NOTARIZE_LEDGER_KEY/);
        expect(res.stderr).toMatch(/notarize ledger info/);
        expect(res.stderr).toMatch(/\/v1\/info/);
        // Nothing was pinned on first use.
        expect(existsSync(path.join(dir, 'state.json'))).toBe(false);
      }
    },
  );

  it('with the key (env or --ledger-key) the same commands work in CI', async () => {
    const env = { CI: 'true', NOTARIZE_TOKEN: h.keys.pipeline };
    const viaEnv = await run(['trust', 'app.txt', '--ledger', h.url], {
      ...env,
      NOTARIZE_LEDGER_KEY: h.vkey,
    });
    expect(viaEnv.code).toBe(0);
    const viaFlag = await run(
      ['status', 'app.txt', '--ledger', h.url, '--ledger-key', h.vkey],
      env,
    );
    expect(viaFlag.code).toBe(0);
  });

  it('outside CI, trust on first use stays (with its warning)', async () => {
    const res = await run(['status', 'app.txt', '--ledger', h.url], {
      NOTARIZE_STATE: path.join(dir, 'tofu-state.json'),
    });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/WARNING: no key pinned/);
  });

  it('a file: ledger in CI uses the key in its directory', async () => {
    const ledger = `file:${path.join(dir, 'ci-file-ledger')}`;
    const env = { ...CI_ENVS[0]![1], NOTARIZE_LEDGER: ledger };
    expect((await run(['trust', 'app.txt', '--as', 'ci'], env)).code).toBe(0);
    expect((await run(['status', 'app.txt'], env)).code).toBe(0);
  });
});

describe('item 7: no silent file:.notarize in CI; reads never create a ledger', () => {
  it.each(CI_ENVS)('%s: an unset or empty ledger is exit 10', async (_n, ci) => {
    for (const ledger of [undefined, '', '  ']) {
      const env = { ...ci, ...(ledger !== undefined ? { NOTARIZE_LEDGER: ledger } : {}) };
      const res = await run(['trust', 'app.txt', '--as', 'ci'], env);
      expect(res.code).toBe(10);
      expect(res.stderr).toMatch(/no ledger is set/);
      expect(existsSync(path.join(dir, '.notarize'))).toBe(false);
    }
  });

  it.each([
    ['status', ['status', 'app.txt']],
    ['gate', ['gate', 'app.txt', '--policy', 'policy.yml']],
    ['history', ['history', 'app.txt']],
    ['evidence get', ['evidence', 'get', '--job', '1', '--project', 'p', '--provider', 'github']],
  ])('%s on a file: path holding no ledger is exit 10 and creates nothing', async (_n, argv) => {
    const where = path.join(dir, 'nothing-here');
    const res = await run([...argv, '--ledger', `file:${where}`], {});
    expect(res.code).toBe(10);
    expect(res.stderr).toMatch(/no ledger at file:.*nothing-here/);
    expect(existsSync(where)).toBe(false);
  });

  it('outside CI the default file:.notarize is still created by a write', async () => {
    const res = await run(['trust', 'app.txt', '--as', 'dev'], {});
    expect(res.code).toBe(0);
    expect(existsSync(path.join(dir, '.notarize', 'ledger.db'))).toBe(true);
  });
});

describe('item 4: revoking an identity that does not exist', () => {
  it('is refused on a file: ledger unless --force (with a warning)', async () => {
    const ledger = `file:${path.join(dir, 'revoke-ledger')}`;
    expect((await run(['trust', 'app.txt', '--as', 'ci-bot', '--ledger', ledger], {})).code).toBe(
      0,
    );
    // U+2010 HYPHEN: looks like ci-bot, is nobody.
    const lookAlike = 'ci\u2010bot';
    const refused = await run(
      ['revoke', lookAlike, '--reason', 'leaked', '--as', 'admin', '--ledger', ledger],
      {},
    );
    expect(refused.code).toBe(10);
    expect(refused.stderr).toMatch(/IDENTITY_UNKNOWN|configured or has written/);
    expect(refused.stderr).toMatch(/--force/);
    const real = await run(
      ['revoke', 'ci-bot', '--reason', 'leaked', '--as', 'admin', '--ledger', ledger],
      {},
    );
    expect(real.code).toBe(0);
    const forced = await run(
      ['revoke', lookAlike, '--reason', 'squatter', '--force', '--as', 'admin', '--ledger', ledger],
      {},
    );
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/warning: --force/);
  });
});
