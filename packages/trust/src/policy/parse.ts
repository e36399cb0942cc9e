/**
 * Reads a gate policy: YAML, validated against a JSON Schema, every problem reported with its line
 * and column so a person can fix the file. Anything that does not parse or validate throws
 * PolicyError (category input): a broken policy is never treated as "allow".
 */
import type { ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { compileSchema, describeAjvError, instancePathToDots } from '../ajv.ts';
import { TrustError } from '../errors.ts';
import { importPublicKey, type PublicKey } from '../signing/keys.ts';
import { parseStatus } from '../status.ts';
import { parseDuration } from './duration.ts';
import { PolicyError, type PolicyProblem } from './policy-error.ts';
import { policySchema } from './schema.ts';
import type { Policy, PolicyRule, RuleStatus } from './types.ts';

export interface ParsePolicyOptions {
  /** File name for messages; default `policy`. */
  source?: string;
  /**
   * Reads a public key file named in `signedBy` (PEM or JWK text), for callers that have files:
   * the CLI reads paths relative to the policy file. Without it, `signedBy` takes key ids and
   * PEM blocks only.
   */
  readKeyFile?: (path: string) => Promise<string>;
}

interface RawRule {
  identity?: string;
  role?: string;
  status: string;
  min?: number;
  maxAge?: string;
  signedBy?: string[];
  ci?: Record<string, string | string[]>;
}

interface RawPolicy {
  version: 1;
  require?: RawRule[];
  block?: RawRule[];
  witnesses?: { keys: string[]; quorum?: number; maxAge?: string };
}

const KEYID_RE = /^[0-9a-f]{64}$/;

class Locator {
  readonly doc: Document;
  readonly lines: LineCounter;
  constructor(doc: Document, lines: LineCounter) {
    this.doc = doc;
    this.lines = lines;
  }

  /** Line/column of the node at `path`, or of its key when `key` is given. */
  at(path: readonly (string | number)[], key?: string): { line: number; column: number } {
    let node: unknown = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (pair && isScalar(pair.key)) node = pair.key;
    }
    const range = (node as { range?: [number, number, number] } | null)?.range;
    const pos = this.lines.linePos(range ? range[0] : 0);
    return { line: pos.line, column: pos.col };
  }
}

function pathSegments(instancePath: string): (string | number)[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function schemaProblem(error: ErrorObject, where: Locator): PolicyProblem {
  const segments = pathSegments(error.instancePath);
  const path = instancePathToDots(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const key =
    error.keyword === 'additionalProperties' ? String(params.additionalProperty) : undefined;
  const last = segments[segments.length - 1];
  let message = describeAjvError(error);
  if (error.keyword === 'additionalProperties') {
    message =
      segments.length === 0
        ? `unknown key "${key}"; a policy has version, require, block and witnesses`
        : /^(require|block)$/.test(String(segments[0]))
          ? `unknown key "${key}"; a rule has identity, role, status, min, maxAge, signedBy and ci`
          : message;
  } else if (last === 'min') {
    message = 'min must be a positive integer (how many distinct identities must match)';
  } else if (last === 'version') {
    message = 'version must be 1 (the only policy language version)';
  } else if (last === 'maxAge' && error.keyword === 'pattern') {
    message = 'maxAge must be a number and a unit s, m, h, d or w (e.g. 30d)';
  } else if (last === 'status' && error.keyword === 'enum' && segments[0] === 'block') {
    message = `${message} (a block rule cannot name trusted)`;
  }
  return { ...where.at(segments, key), path, message };
}

/**
 * Key ids and CI values are text even when YAML would read them as numbers: a key id of only digits
 * (or `12e3…`) must not turn into a float, and `pipeline_id: 123` means the string "123".
 */
function keepAsWritten(doc: Document, text: string): void {
  const asText = (node: unknown) => {
    if (isScalar(node) && typeof node.value !== 'string' && node.value !== null && node.range) {
      node.value = text.slice(node.range[0], node.range[1]);
    }
  };
  for (const section of ['require', 'block']) {
    const rules = doc.get(section, true);
    if (!isSeq(rules)) continue;
    for (const r of rules.items) {
      if (!isMap(r)) continue;
      const signedBy = r.get('signedBy', true);
      if (isSeq(signedBy)) signedBy.items.forEach(asText);
      const ci = r.get('ci', true);
      if (isMap(ci)) {
        for (const pair of ci.items) {
          if (isSeq(pair.value)) pair.value.items.forEach(asText);
          else asText(pair.value);
        }
      }
    }
  }
}

function rule(raw: RawRule, where: string, line: number): PolicyRule {
  const out: PolicyRule = {
    where,
    line,
    status: parseStatus(raw.status) as RuleStatus,
    min: raw.min ?? 1,
  };
  if (raw.identity !== undefined) out.identity = raw.identity;
  if (raw.role !== undefined) out.role = raw.role;
  if (raw.maxAge !== undefined) out.maxAge = { text: raw.maxAge, ms: parseDuration(raw.maxAge) };
  if (raw.ci !== undefined) {
    out.ci = Object.fromEntries(
      Object.entries(raw.ci).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]),
    );
  }
  return out;
}

/**
 * Parses and validates a policy file's text. `signedBy` members are key ids (64 lowercase hex, the
 * SHA-256 of the key's SPKI) or PEM public keys; PEM keys are imported, which is why this is async.
 */
export async function parsePolicy(text: string, options: ParsePolicyOptions = {}): Promise<Policy> {
  const source = options.source ?? 'policy';
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      source,
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return {
          line: pos.line,
          column: pos.col,
          path: '',
          message: `YAML syntax error: ${e.message.split('\n')[0]}`,
        };
      }),
    );
  }
  const where = new Locator(doc, lines);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new PolicyError(source, [
      {
        line: 1,
        column: 1,
        path: '',
        message: 'the policy is empty; write at least `version: 1` and one require or block rule',
      },
    ]);
  }
  keepAsWritten(doc, text);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml refuses to expand aliases past the count (a "billion laughs" document).
    throw new PolicyError(
      source,
      [
        {
          line: 1,
          column: 1,
          path: '',
          message: `the policy expands too many YAML aliases: ${(error as Error).message}; write it without aliases`,
        },
      ],
      { cause: error },
    );
  }
  const validate = compileSchema(policySchema);
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => schemaProblem(e, where));
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new PolicyError(source, problems);
  }
  const raw = value as RawPolicy;
  const problems: PolicyProblem[] = [];
  if ((raw.require ?? []).length + (raw.block ?? []).length === 0) {
    problems.push({
      ...where.at([]),
      path: '',
      message:
        'the policy has no rules; add require or block rules (an empty policy would allow everything)',
    });
  }
  const keys: PublicKey[] = [];
  const build = async (section: 'require' | 'block'): Promise<PolicyRule[]> => {
    const rules: PolicyRule[] = [];
    for (const [i, r] of (raw[section] ?? []).entries()) {
      const built = rule(r, `${section}[${i}]`, where.at([section, i]).line);
      if (r.signedBy) {
        built.signedBy = [];
        for (const [j, k] of r.signedBy.entries()) {
          const id = await keyIdFor(k, keys, options.readKeyFile).catch((cause: unknown) => {
            const message = cause instanceof Error ? cause.message : String(cause);
            problems.push({
              ...where.at([section, i, 'signedBy', j]),
              path: `${section}[${i}].signedBy[${j}]`,
              message: `not a key id (64 hex), a PEM public key or a key file: ${message}`,
            });
            return undefined;
          });
          if (id) built.signedBy.push(id);
        }
      }
      rules.push(built);
    }
    return rules;
  };
  const require = await build('require');
  const block = await build('block');
  const w = raw.witnesses;
  if (w?.quorum !== undefined && w.quorum > w.keys.length) {
    problems.push({
      ...where.at(['witnesses', 'quorum']),
      path: 'witnesses.quorum',
      message: `quorum ${w.quorum} exceeds the ${w.keys.length} witness keys listed`,
    });
  }
  if (problems.length > 0) throw new PolicyError(source, problems);
  const witnesses = w
    ? {
        keys: w.keys.map((k) => k.trim()),
        ...(w.quorum !== undefined ? { quorum: w.quorum } : {}),
        ...(w.maxAge !== undefined ? { maxAgeMs: parseDuration(w.maxAge) } : {}),
      }
    : undefined;
  return { version: 1, require, block, keys, source, ...(witnesses ? { witnesses } : {}) };
}

async function keyIdFor(
  value: string,
  keys: PublicKey[],
  readKeyFile: ParsePolicyOptions['readKeyFile'],
): Promise<string> {
  const text = value.trim();
  if (KEYID_RE.test(text)) return text;
  let pem = text;
  if (!text.includes('-----BEGIN')) {
    if (!readKeyFile || text.includes('\n')) {
      throw new TrustError(
        'KEY_INVALID',
        'input',
        readKeyFile
          ? 'expected 64 lowercase hex characters, a PEM block or a public key file'
          : 'expected 64 lowercase hex characters or a PEM block',
      );
    }
    pem = await readKeyFile(text);
  }
  const key = await importPublicKey(
    pem.trimStart().startsWith('{') ? (JSON.parse(pem) as JsonWebKey) : pem,
  );
  if (!keys.some((k) => k.keyid === key.keyid)) keys.push(key);
  return key.keyid;
}
