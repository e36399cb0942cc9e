/**
 * The service config's witness section:
 *   witnesses:
 *     - {name: w1, vkey: "<witness vkey, type 0x04>", url: "https://w1.example/"}
 *   witnessQuorum: 2          # default: all listed
 *   witnessIntervalMs: 1000   # at most one round of submissions per interval (default 1000)
 *   witnessTimeoutMs: 5000    # per request (default 5000)
 */
import { cosignatureVerifierFromVkey, type CosignatureVerifier } from '@notarize/tlog';
import { ServiceError } from '../errors.ts';

export interface WitnessEndpoint {
  name: string;
  url: string;
  verifier: CosignatureVerifier;
}

export interface WitnessCollectorConfig {
  witnesses: WitnessEndpoint[];
  quorum: number;
  intervalMs: number;
  timeoutMs: number;
}

export const witnessSchemaProperties = {
  witnesses: {
    type: 'array',
    minItems: 1,
    maxItems: 64,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'vkey', 'url'],
      properties: {
        name: { type: 'string', minLength: 1 },
        vkey: { type: 'string', minLength: 1 },
        url: { type: 'string', pattern: '^https?://' },
      },
    },
  },
  witnessQuorum: { type: 'integer', minimum: 1 },
  witnessIntervalMs: { type: 'integer', minimum: 10 },
  witnessTimeoutMs: { type: 'integer', minimum: 100 },
};

export interface WitnessConfigFile {
  witnesses?: { name: string; vkey: string; url: string }[];
  witnessQuorum?: number;
  witnessIntervalMs?: number;
  witnessTimeoutMs?: number;
}

const invalid = (m: string) => new ServiceError('CONFIG_INVALID', `witnesses: ${m}`);

export function witnessConfigFrom(file: WitnessConfigFile): WitnessCollectorConfig | undefined {
  if (!file.witnesses) {
    if (file.witnessQuorum !== undefined) throw invalid('witnessQuorum is set without witnesses');
    return undefined;
  }
  const witnesses = file.witnesses.map((w, i) => {
    let verifier: CosignatureVerifier;
    try {
      verifier = cosignatureVerifierFromVkey(w.vkey.trim());
    } catch (error) {
      throw invalid(`witnesses[${i}] (${w.name}): ${(error as Error).message}`);
    }
    if (verifier.name !== w.name) {
      throw invalid(`witnesses[${i}]: its vkey names ${verifier.name}, not ${w.name}`);
    }
    return { name: w.name, url: w.url.replace(/\/+$/, ''), verifier };
  });
  if (new Set(witnesses.map((w) => w.verifier.vkey)).size !== witnesses.length) {
    throw invalid('a witness key is listed twice');
  }
  const quorum = file.witnessQuorum ?? witnesses.length;
  if (quorum > witnesses.length) {
    throw invalid(`witnessQuorum ${quorum} exceeds the ${witnesses.length} witnesses listed`);
  }
  return {
    witnesses,
    quorum,
    intervalMs: file.witnessIntervalMs ?? 1000,
    timeoutMs: file.witnessTimeoutMs ?? 5000,
  };
}
