/**
 * The lookup-map format document is enough to verify what the service serves: the Python
 * verifier written from docs/formats.md alone (packages/map/python/verify_map.py) checks the map
 * proofs of real answers — and refuses them once a value is altered.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assertion, digestOf, startHarness, type Harness } from './support/service-harness.ts';

const SCRIPT = fileURLToPath(new URL('../packages/map/python/verify_map.py', import.meta.url));

type WireMap = {
  head: { entry: { statement: { subject: { digest: { sha256: string } }[] } } };
  keys: string[];
  values: (Record<string, unknown> | null)[];
  proof: string;
};

let h: Harness;
const digests = [digestOf('py-a'), digestOf('py-b'), digestOf('py-never')];

beforeAll(async () => {
  h = await startHarness();
  const pipeline = await h.client({ token: h.keys.pipeline });
  const scanner = await h.client({ token: h.keys.scanner });
  await pipeline.append([assertion(digests[0]!), assertion(digests[1]!)]);
  await scanner.append([assertion(digests[0]!, 'untrusted')]);
});
afterAll(async () => {
  await h.close();
});

function caseOf(name: string, map: WireMap, valid: boolean) {
  const root = Buffer.from(map.head.entry.statement.subject[0]!.digest.sha256, 'hex');
  return {
    name,
    root: root.toString('base64'),
    keys: map.keys,
    values: Object.fromEntries(map.keys.map((k, i) => [k, map.values[i] ?? null])),
    proof: map.proof,
    valid,
  };
}

async function served(): Promise<{ status: WireMap; subject: WireMap }> {
  const status = (await (
    await fetch(`${h.url}/v1/lookup/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subjects: digests }),
    })
  ).json()) as { map: WireMap };
  const subject = (await (await fetch(`${h.url}/v1/subjects/${digests[0]}`)).json()) as {
    map: WireMap;
  };
  return { status: status.map, subject: subject.map };
}

it('the Python verifier accepts the map proofs the service serves and refuses altered ones', async () => {
  const { status, subject } = await served();
  // Members, a non-member (py-never) and revocation keys, in one batch proof.
  expect(status.values.filter((v) => v === null).length).toBeGreaterThan(0);
  const altered = structuredClone(status);
  const first = altered.values[0] as { n: number };
  first.n += 1;
  const cases = [
    caseOf('status answer', status, true),
    caseOf('subject answer', subject, true),
    caseOf('status answer, altered value', altered, false),
  ];
  const out = execFileSync('python3', [SCRIPT], {
    input: JSON.stringify({ cases }),
    encoding: 'utf8',
  });
  const results = (JSON.parse(out) as { results: { name: string; ok: boolean }[] }).results;
  expect(results.map((r) => [r.name, r.ok])).toEqual(cases.map((c) => [c.name, c.valid]));
});
