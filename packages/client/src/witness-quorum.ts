/**
 * Witness quorum: a checkpoint is believed only with at least `quorum` valid cosignatures
 * (C2SP tlog-cosignature v1) from the configured witnesses. Cosignatures of unknown keys are
 * ignored; one with a timestamp in the future (beyond a small clock skew) or older than
 * `maxAgeSeconds` does not count. Too few is WITNESS_QUORUM (verification, exit 20), naming
 * the witnesses that are missing and why.
 */
import {
  cosignatureVerifierFromVkey,
  verifyCosignatures,
  type CosignatureVerifier,
} from '@notarize/tlog';
import { LedgerClientError, verificationError } from './errors.ts';

/** Clocks of witnesses and clients differ a little; more than this ahead is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 60;

export interface WitnessPolicyOptions {
  /** Witness vkeys (type 0x04). */
  vkeys: readonly string[];
  /** Cosignatures required (default: all given). */
  quorum?: number;
  /** Cosignatures older than this many seconds do not count (default: no limit). */
  maxAgeSeconds?: number;
}

export interface WitnessPolicy {
  witnesses: CosignatureVerifier[];
  quorum: number;
  maxAgeSeconds: number | undefined;
  now: () => number;
}

export function witnessPolicy(
  options: WitnessPolicyOptions,
  now: () => number = Date.now,
): WitnessPolicy {
  const witnesses: CosignatureVerifier[] = [];
  for (const vkey of options.vkeys) {
    try {
      const v = cosignatureVerifierFromVkey(vkey.trim());
      if (!witnesses.some((w) => w.vkey === v.vkey)) witnesses.push(v);
    } catch (error) {
      throw new LedgerClientError(
        'KEY_INVALID',
        'input',
        `witness key "${vkey}" is not a witness vkey (<name>+<hex id>+<base64 of 0x04 and the key>, what \`notarize witness serve\` prints): ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  if (witnesses.length === 0) {
    throw new LedgerClientError('KEY_INVALID', 'input', 'a witness quorum needs witness keys');
  }
  const quorum = options.quorum ?? witnesses.length;
  if (!Number.isSafeInteger(quorum) || quorum < 1 || quorum > witnesses.length) {
    throw new LedgerClientError(
      'ARGUMENT_INVALID',
      'input',
      `witness quorum ${options.quorum} must be a whole number from 1 to the ${witnesses.length} witness keys given`,
    );
  }
  const age = options.maxAgeSeconds;
  if (age !== undefined && (!Number.isSafeInteger(age) || age < 1)) {
    throw new LedgerClientError(
      'ARGUMENT_INVALID',
      'input',
      `witness maximum age ${age} must be a positive number of seconds`,
    );
  }
  return { witnesses, quorum, maxAgeSeconds: age, now };
}

/**
 * Checks the cosignatures on a signed checkpoint note; returns the names of the witnesses that
 * counted. Does not check the log's own signature (the LedgerVerifier does).
 */
export function checkWitnessQuorum(note: string, policy: WitnessPolicy): string[] {
  let result;
  try {
    result = verifyCosignatures(note, policy.witnesses);
  } catch (error) {
    throw verificationError(
      'WITNESS_QUORUM',
      `the ledger's checkpoint is not a signed note: ${(error as Error).message}`,
      error,
    );
  }
  const now = Math.floor(policy.now() / 1000);
  const counted: string[] = [];
  const why = new Map<string, string>();
  for (const name of result.invalid) why.set(name, 'its cosignature does not verify');
  for (const c of result.valid) {
    if (c.timestamp > now + MAX_CLOCK_SKEW_SECONDS) {
      why.set(c.name, `its cosignature is dated in the future (${c.timestamp}, now ${now})`);
    } else if (policy.maxAgeSeconds !== undefined && now - c.timestamp > policy.maxAgeSeconds) {
      why.set(
        c.name,
        `its cosignature is ${now - c.timestamp}s old (limit ${policy.maxAgeSeconds}s)`,
      );
    } else {
      counted.push(c.name);
    }
  }
  if (counted.length < policy.quorum) {
    const missing = policy.witnesses
      .filter((w) => !counted.includes(w.name))
      .map((w) => `${w.name} (${why.get(w.name) ?? 'no cosignature'})`);
    throw verificationError(
      'WITNESS_QUORUM',
      `the ledger's checkpoint carries ${counted.length} valid cosignature(s) of the ${policy.quorum} required; missing: ${missing.join(', ')}. ` +
        'Without a witness quorum this client could be shown a fork of the log',
    );
  }
  return counted;
}
