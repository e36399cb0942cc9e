/**
 * The witness's own cosigner key (Ed25519, or ML-DSA-44 with `--key-type ml-dsa-44`), created in the data directory on first start
 * (`witness.key`, mode 0600, never printed) with `witness.json` recording its name, vkey and the
 * statement it makes. A key made for one statement (plain or map-verifying) refuses to serve the
 * other: the Ed25519 cosignature does not commit to the name, so two statements need two keys
 * (C2SP tlog-cosignature, "Additional statements").
 */
import { hostname } from 'node:os';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  cosignerFromSkey,
  generateCosignerKey,
  type CosignatureAlgorithm,
  type Cosigner,
} from '@notarize/tlog';
import { WitnessError } from './errors.ts';
import { writeFileAtomic } from './state-store.ts';

export type WitnessStatement = 'consistency' | 'consistency+map';

export interface WitnessIdentity {
  name: string;
  vkey: string;
  statement: WitnessStatement;
  /** Absent in directories made before ML-DSA-44 keys: Ed25519. */
  algorithm?: CosignatureAlgorithm;
}

const KEY_FILE = 'witness.key';
const INFO_FILE = 'witness.json';

/** The name a new key gets when none is given; a map-verifying key says so in its name. */
export function defaultWitnessName(statement: WitnessStatement): string {
  const host = hostname().replace(/[^A-Za-z0-9.-]/g, '-') || 'localhost';
  return statement === 'consistency' ? `${host}/witness` : `${host}/map-witness`;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads the identity of an existing witness data directory (`witness info`). */
export async function readWitnessIdentity(dataDir: string): Promise<WitnessIdentity> {
  const text = await readIfExists(path.join(dataDir, INFO_FILE));
  if (!text) {
    throw new WitnessError(
      'CONFIG_INVALID',
      `${dataDir} holds no witness (no ${INFO_FILE}): start one with \`notarize witness serve --data ${dataDir} …\``,
    );
  }
  return JSON.parse(text) as WitnessIdentity;
}

/**
 * Loads the witness key from `dataDir`, or creates it. `name`, when given, must match an existing
 * key's; `statement` must match the one the key was made for.
 */
export async function loadOrCreateWitnessKey(
  dataDir: string,
  statement: WitnessStatement,
  name?: string,
  algorithm?: CosignatureAlgorithm,
): Promise<{ cosigner: Cosigner; identity: WitnessIdentity; created: boolean }> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const keyFile = path.join(dataDir, KEY_FILE);
  const existing = await readIfExists(keyFile);
  if (existing) {
    const cosigner = cosignerFromSkey(existing.trim());
    const identity = await readWitnessIdentity(dataDir);
    if (name !== undefined && name !== cosigner.name) {
      throw new WitnessError(
        'CONFIG_INVALID',
        `the witness key in ${dataDir} is named ${cosigner.name}, not ${name}: drop --name or use another --data directory`,
      );
    }
    if (identity.statement !== statement) {
      throw new WitnessError(
        'CONFIG_INVALID',
        `the witness key in ${dataDir} cosigns "${identity.statement}", not "${statement}": ` +
          'a key makes one statement; use another --data directory (and name) for the other mode',
      );
    }
    const existingAlgorithm = identity.algorithm ?? 'ed25519';
    if (algorithm !== undefined && algorithm !== existingAlgorithm) {
      throw new WitnessError(
        'CONFIG_INVALID',
        `the witness key in ${dataDir} is an ${existingAlgorithm} key, not ${algorithm}: drop --key-type or use another --data directory`,
      );
    }
    return { cosigner, identity, created: false };
  }
  const keyName = name ?? defaultWitnessName(statement);
  let key;
  try {
    key = generateCosignerKey(keyName, undefined, algorithm ?? 'ed25519');
  } catch (error) {
    throw new WitnessError('CONFIG_INVALID', `--name: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const handle = await open(keyFile, 'wx', 0o600);
  try {
    await handle.writeFile(`${key.skey}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  const identity: WitnessIdentity = {
    name: keyName,
    vkey: key.vkey,
    statement,
    algorithm: algorithm ?? 'ed25519',
  };
  await writeFileAtomic(path.join(dataDir, INFO_FILE), `${JSON.stringify(identity, null, 2)}\n`);
  return { cosigner: cosignerFromSkey(key.skey), identity, created: true };
}
