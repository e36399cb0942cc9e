/**
 * The client's state: where it lives, what a valid file is, and that the trusted checkpoint per
 * key only moves forward (never back, never to another root of the same size), in memory and in
 * the file, also when another process wrote the file meanwhile.
 */
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  defaultStatePath,
  FileStateStore,
  MemoryStateStore,
  openStateStore,
  type StateStore,
  type TrustedCheckpoint,
} from '../state.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'client-state-'));
});
afterEach(() => rm(tmp, { recursive: true, force: true }));

const cp = (size: number, root = `root-${size}`): TrustedCheckpoint => ({
  origin: 'log.example/state',
  size,
  root,
  note: `note ${size}`,
  recorded: '2026-11-29T00:00:00.000Z',
});

async function code(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: { code?: string; category?: string }) => `${e.category}:${e.code}`,
  );
}

describe('defaultStatePath', () => {
  it('prefers NOTARIZE_STATE, then XDG_CONFIG_HOME, then HOME/.config', () => {
    expect(defaultStatePath({ NOTARIZE_STATE: '/s.json', XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe(
      '/s.json',
    );
    expect(defaultStatePath({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe(
      path.join('/x', 'notarize', 'state.json'),
    );
    expect(defaultStatePath({ XDG_CONFIG_HOME: '', HOME: '/h' })).toBe(
      path.join('/h', '.config', 'notarize', 'state.json'),
    );
    expect(defaultStatePath({ NOTARIZE_STATE: '' })).toBe(
      path.join(os.homedir(), '.config', 'notarize', 'state.json'),
    );
  });

  it('opens a memory store for false and a file store otherwise', () => {
    expect(openStateStore(false, {})).toBeInstanceOf(MemoryStateStore);
    expect(openStateStore(false, {}).path).toBeUndefined();
    const file = openStateStore(path.join(tmp, 's.json'), {});
    expect(file).toBeInstanceOf(FileStateStore);
    expect(file.path).toBe(path.join(tmp, 's.json'));
    expect(openStateStore(undefined, { NOTARIZE_STATE: path.join(tmp, 'env.json') }).path).toBe(
      path.join(tmp, 'env.json'),
    );
  });
});

describe.each<[string, () => StateStore]>([
  ['memory', () => new MemoryStateStore()],
  ['file', () => new FileStateStore(path.join(tmp, 'dir', 'state.json'))],
])('%s state', (_kind, make) => {
  it('an unwritable state file is an input error naming it and NOTARIZE_STATE, not a crash', async () => {
    // Its directory is a dangling symlink: reading finds no state, creating the directory fails
    // — even for root, as a read-only HOME fails for a container's user.
    await symlink(path.join(tmp, 'gone'), path.join(tmp, 'home'));
    const file = path.join(tmp, 'home', 'state.json');
    const error = await new FileStateStore(file).pin('https://a', 'k1').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STATE_INVALID', category: 'input' });
    expect((error as Error).message).toMatch(
      /^cannot write the client state file \S+\/home\/state\.json \([A-Z]+\); set NOTARIZE_STATE \(or --state\) to a writable file$/,
    );
  });

  it('pins keys per location', async () => {
    const s = make();
    expect(await s.pinnedKey('https://a')).toBeUndefined();
    await s.pin('https://a', 'k1');
    await s.pin('https://b', 'k2');
    await s.pin('https://a', 'k1');
    expect(await s.pinnedKey('https://a')).toBe('k1');
    expect(await s.pinnedKey('https://b')).toBe('k2');
    await s.pin('https://a', 'k3');
    expect(await s.pinnedKey('https://a')).toBe('k3');
  });

  it('moves the trusted checkpoint forward only, per key', async () => {
    const s = make();
    expect(await s.trusted('k')).toBeUndefined();
    await s.advance('k', cp(5));
    await s.advance('k', cp(3));
    expect(await s.trusted('k')).toEqual(cp(5));
    await s.advance('k', cp(5));
    expect(await s.trusted('k')).toEqual(cp(5));
    await s.advance('k', cp(8));
    expect(await s.trusted('k')).toEqual(cp(8));
    await s.advance('other', cp(1));
    expect(await s.trusted('other')).toEqual(cp(1));
    expect(await s.trusted('k')).toEqual(cp(8));
  });

  it('refuses another root of the size it trusts (fork) and keeps the old one', async () => {
    const s = make();
    await s.advance('k', cp(5));
    expect(await code(s.advance('k', cp(5, 'forked')))).toBe('verification:FORK');
    expect(await s.trusted('k')).toEqual(cp(5));
  });
});

describe('the state file', () => {
  const file = () => path.join(tmp, 'state.json');

  it('is private (0600) and holds what was recorded, for the next process', async () => {
    const s = new FileStateStore(file());
    await s.pin('https://a', 'k1');
    await s.advance('k1', cp(4));
    expect((await stat(file())).mode & 0o777).toBe(0o600);
    const again = new FileStateStore(file());
    expect(await again.pinnedKey('https://a')).toBe('k1');
    expect(await again.trusted('k1')).toEqual(cp(4));
    expect(JSON.parse(await readFile(file(), 'utf8'))).toEqual({
      version: 1,
      pins: { 'https://a': 'k1' },
      checkpoints: { k1: cp(4) },
    });
  });

  it('merges with what another process wrote meanwhile (larger checkpoint wins)', async () => {
    const a = new FileStateStore(file());
    const b = new FileStateStore(file());
    await a.advance('k', cp(5));
    await b.advance('k', cp(9));
    await a.advance('k', cp(7));
    expect(await a.trusted('k')).toEqual(cp(9));
    await a.pin('https://x', 'k');
    expect(await b.pinnedKey('https://x')).toBe('k');
    expect(await code(a.advance('k', cp(9, 'forked')))).toBe('verification:FORK');
  });

  it('does not rewrite the file when nothing changes', async () => {
    const s = new FileStateStore(file());
    await s.pin('https://a', 'k1');
    await s.advance('k1', cp(4));
    const before = (await stat(file())).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    await s.pin('https://a', 'k1');
    await s.advance('k1', cp(3));
    await s.advance('k1', cp(4));
    expect((await stat(file())).mtimeMs).toBe(before);
  });

  it.each([
    ['not JSON', '{'],
    ['another version', JSON.stringify({ version: 2, pins: {}, checkpoints: {} })],
    ['null', 'null'],
    ['no pins', JSON.stringify({ version: 1, checkpoints: {} })],
    ['null pins', JSON.stringify({ version: 1, pins: null, checkpoints: {} })],
    ['no checkpoints', JSON.stringify({ version: 1, pins: {} })],
    ['null checkpoints', JSON.stringify({ version: 1, pins: {}, checkpoints: null })],
    ['a string', JSON.stringify('state')],
  ])('is refused when it is %s (input error, nothing overwritten)', async (_what, text) => {
    await writeFile(file(), text);
    const s = new FileStateStore(file());
    expect(await code(s.trusted('k'))).toBe('input:STATE_INVALID');
    expect(await code(s.pinnedKey('x'))).toBe('input:STATE_INVALID');
    expect(await code(s.advance('k', cp(1)))).toBe('input:STATE_INVALID');
    expect(await readFile(file(), 'utf8')).toBe(text);
  });

  it('is refused when it cannot be read', async () => {
    const s = new FileStateStore(tmp); // a directory
    expect(await code(s.trusted('k'))).toBe('input:STATE_INVALID');
  });
});

describe('what the state says when it refuses', () => {
  const refusal = async (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: Error) => ({ message: e.message, cause: e.cause !== undefined }),
    );

  it('names both roots of a fork', async () => {
    const s = new MemoryStateStore();
    await s.advance('k', cp(5));
    expect(await refusal(s.advance('k', cp(5, 'forked')))).toEqual({
      message:
        'the ledger log.example/state served two different trees of size 5 (roots root-5 and forked): the log forked or is being tampered with',
      cause: false,
    });
  });

  it('names the file that is not JSON or cannot be read, with the cause', async () => {
    const file = path.join(tmp, 'state.json');
    await writeFile(file, '{');
    expect(await refusal(new FileStateStore(file).trusted('k'))).toEqual({
      message: `client state file ${file} is not JSON; fix or remove it`,
      cause: true,
    });
    expect(await refusal(new FileStateStore(tmp).trusted('k'))).toEqual({
      message: expect.stringMatching(new RegExp(`^cannot read client state file ${tmp}: \\S`)),
      cause: true,
    });
  });
});
