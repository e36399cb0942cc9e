/**
 * A state file that is JSON but not a client state file is refused with a message that names
 * the file and the way out, whatever shape the JSON has.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStateStore } from '../state.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'notarize-state-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('FileStateStore', () => {
  it.each([
    ['an object of another shape', '{"hello":1}'],
    ['version 2', '{"version":2,"pins":{},"checkpoints":{}}'],
    ['null pins', '{"version":1,"pins":null,"checkpoints":{}}'],
    ['null checkpoints', '{"version":1,"pins":{},"checkpoints":null}'],
    ['a number', '1'],
    ['null', 'null'],
  ])('refuses %s', async (_what, text) => {
    const file = path.join(tmp, 'state.json');
    await writeFile(file, text);
    await expect(
      new FileStateStore(file).pinnedKey('https://ledger.example'),
    ).rejects.toMatchObject({
      code: 'STATE_INVALID',
      category: 'input',
      message: `client state file ${file} is not a notarize state file (version 1); fix or remove it (removing it forgets the pinned ledger keys and checkpoints)`,
    });
  });
});
