/**
 * Issue 14, item 14: a password in the ledger URL (`http://user:pw@host`) is never stored in the
 * client's state file nor printed (trust-on-first-use warning, errors, action summaries and
 * messages). Credentials in the URL were never sent to the service either; the API key belongs
 * in NOTARIZE_TOKEN.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openLedgerClient, parseLedgerLocation, withoutCredentials } from '@notarize/client';
import { readLedgerInputs } from '../actions/shared/src/ledger.ts';
import { notarizeCli } from './support/cli.ts';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';

const SECRET = 's3cret-pw';
let h: Harness;
let dir: string;
let withPassword: string;

beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(path.join(os.tmpdir(), 'url-cred-'));
  withPassword = h.url.replace('http://', `http://ci-user:${SECRET}@`);
  const writer = await h.client({ token: h.keys.qa });
  await writer.append([assertion(digestOf('cred'))]);
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

it('withoutCredentials drops user and password, and leaves everything else', () => {
  expect(withoutCredentials(`https://u:${SECRET}@ledger.example/prefix/`)).toBe(
    'https://ledger.example/prefix/',
  );
  expect(withoutCredentials('https://ledger.example:8443/x')).toBe('https://ledger.example:8443/x');
  expect(withoutCredentials('file:/var/lib/ledger')).toBe('file:/var/lib/ledger');
  expect(withoutCredentials(`http://u:${SECRET}@[::1`)).not.toContain(SECRET);
  expect(parseLedgerLocation(`http://u:${SECRET}@ledger.example/`).url).toBe(
    'http://ledger.example',
  );
});

it('the client pins, records and warns with the URL without its password', async () => {
  const statePath = path.join(dir, 'client-state.json');
  const notices: string[] = [];
  const client = await openLedgerClient(withPassword, {
    statePath,
    env: {},
    notice: (m) => notices.push(m),
    dispatcher: h.dispatcher,
  });
  try {
    expect((await client.checkpoint()).size).toBe(2);
  } finally {
    await client.close();
  }
  expect(notices.join('\n')).toMatch(/WARNING: no key pinned for ledger http:\/\/127\.0\.0\.1/);
  expect(notices.join('\n')).not.toContain(SECRET);
  const state = await readFile(statePath, 'utf8');
  expect(state).toContain(h.url);
  expect(state).not.toContain(SECRET);
});

it('the CLI neither stores nor prints it, also when the ledger is unreachable', async () => {
  const env = { NOTARIZE_STATE: path.join(dir, 'cli-state.json') };
  const status = await notarizeCli(['status', digestOf('cred'), '--ledger', withPassword], {
    cwd: dir,
    env,
  });
  expect(status.code).toBe(0);
  expect(status.stderr).toContain('WARNING: no key pinned');
  expect(status.stdout + status.stderr).not.toContain(SECRET);
  expect(await readFile(env.NOTARIZE_STATE, 'utf8')).not.toContain(SECRET);
  const down = await notarizeCli(
    ['status', digestOf('cred'), '--ledger', `http://ci-user:${SECRET}@127.0.0.1:9`],
    { cwd: dir, env: { ...env, NOTARIZE_LEDGER_KEY: h.vkey } },
  );
  expect(down.code).toBe(11);
  expect(down.stderr).toContain('http://127.0.0.1:9');
  expect(down.stdout + down.stderr).not.toContain(SECRET);
});

it('the actions read the ledger input without its password', () => {
  const saved = process.env.INPUT_LEDGER;
  process.env.INPUT_LEDGER = withPassword;
  try {
    const { ledger } = readLedgerInputs({});
    expect(ledger).toBe(`${h.url}/`);
    expect(ledger).not.toContain(SECRET);
  } finally {
    if (saved === undefined) delete process.env.INPUT_LEDGER;
    else process.env.INPUT_LEDGER = saved;
  }
});
