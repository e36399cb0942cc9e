/**
 * Opens a witness from its settings (what `notarize witness serve` passes): the key in the data
 * directory (created on first start), the logs it follows by their vkeys, and, when asked, the
 * map check against the ledger's tiles.
 */
import { noteVerifierFromVkey, type CosignatureAlgorithm, type NoteVerifier } from '@notarize/tlog';
import { openLedgerClient, type TileSource } from '@notarize/client';
import { WitnessError } from './errors.ts';
import { ForkStore } from './forks.ts';
import { lockDataDir } from './dir-lock.ts';
import { MapCheck } from './map-check.ts';
import { WitnessMetrics, type WitnessLog } from './server.ts';
import { StateStore } from './state-store.ts';
import { Witness } from './witness.ts';
import { loadOrCreateWitnessKey, type WitnessIdentity } from './witness-key.ts';

export interface WitnessSettings {
  dataDir: string;
  /** Vkeys of the logs to witness (type 0x01 note keys; the key name is the log's origin). */
  logs: readonly string[];
  /** Name of a new key (default: `<host>/witness`, or `<host>/map-witness` with verifyMap). */
  name?: string;
  /** Signature type of a new key (default Ed25519). */
  algorithm?: CosignatureAlgorithm;
  /** Map-verifying: the ledger service whose tiles are read (one log). */
  verifyMap?: { ledger: string };
  /** For tests and benchmarks: where tiles come from instead of an HTTP client. */
  tiles?: TileSource;
  now?: () => number;
  log?: WitnessLog;
}

export interface OpenedWitness {
  witness: Witness;
  identity: WitnessIdentity;
  created: boolean;
  metrics: WitnessMetrics;
  mapCheck: MapCheck | undefined;
  close(): Promise<void>;
}

export function logVerifiers(vkeys: readonly string[]): Map<string, NoteVerifier[]> {
  if (vkeys.length === 0) {
    throw new WitnessError(
      'CONFIG_INVALID',
      'name at least one log to witness: --log <ledger vkey>',
    );
  }
  const logs = new Map<string, NoteVerifier[]>();
  for (const vkey of vkeys) {
    let v: NoteVerifier;
    try {
      v = noteVerifierFromVkey(vkey.trim());
    } catch (error) {
      throw new WitnessError(
        'CONFIG_INVALID',
        `--log ${JSON.stringify(vkey)} is not a ledger vkey (<name>+<hex id>+<base64 key>, what \`notarize ledger info\` prints): ${(error as Error).message}`,
        { cause: error },
      );
    }
    logs.set(v.name, [...(logs.get(v.name) ?? []), v]);
  }
  return logs;
}

export async function openWitness(settings: WitnessSettings): Promise<OpenedWitness> {
  const logs = logVerifiers(settings.logs);
  const statement = settings.verifyMap ? 'consistency+map' : 'consistency';
  if (settings.verifyMap && logs.size !== 1) {
    throw new WitnessError(
      'CONFIG_INVALID',
      "--verify-map reads one ledger (--ledger URL): give exactly one --log key, that ledger's",
    );
  }
  const key = await loadOrCreateWitnessKey(
    settings.dataDir,
    statement,
    settings.name,
    settings.algorithm,
  );
  const lock = lockDataDir(settings.dataDir);
  let tiles = settings.tiles;
  let closeTiles = async () => {};
  try {
    if (settings.verifyMap && !tiles) {
      const client = await openLedgerClient(settings.verifyMap.ledger, {
        vkey: settings.logs[0]!.trim(),
        statePath: false,
        notice: () => {},
      });
      if (!('tile' in client)) {
        await client.close();
        throw new WitnessError('CONFIG_INVALID', '--ledger must be an http(s):// ledger service');
      }
      tiles = client as unknown as TileSource;
      closeTiles = () => client.close();
    }
  } catch (error) {
    lock.release();
    throw error;
  }
  const mapCheck = tiles ? new MapCheck(tiles, settings.dataDir) : undefined;
  const metrics = new WitnessMetrics(() => logs.size);
  const log = settings.log ?? (() => {});
  const witness = new Witness({
    cosigner: key.cosigner,
    logs,
    state: await StateStore.open(settings.dataDir),
    forks: new ForkStore(settings.dataDir),
    ...(mapCheck ? { entryCheck: mapCheck } : {}),
    ...(settings.now ? { now: settings.now } : {}),
    events: {
      fork(origin, size, file) {
        metrics.forks.inc();
        log('warn', 'fork detected: two signed checkpoints of one size with different roots', {
          origin,
          size,
          evidence: file,
        });
      },
    },
  });
  return {
    witness,
    identity: key.identity,
    created: key.created,
    metrics,
    mapCheck,
    close: async () => {
      await closeTiles();
      lock.release();
    },
  };
}
