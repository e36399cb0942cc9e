// testdata/vectors.json: the committed file must be exactly what scripts/vectors.ts generates, and
// this package must give every case its expected outcome.
import { readFileSync } from 'node:fs';
import { buildVectors, VECTORS_PATH, type Vectors } from '../../scripts/vectors.ts';
import { checkCase } from './check-case.ts';

const file = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Vectors;

describe('golden vectors', () => {
  it('the committed file is what scripts/vectors.ts generates', () => {
    expect(file).toEqual(JSON.parse(JSON.stringify(buildVectors())));
  });

  it('covers present, absent, batch, invalid proofs and invalid claims', () => {
    expect(Object.keys(file.entries).length).toBeGreaterThanOrEqual(10);
    expect(file.cases.filter((c) => c.valid).length).toBeGreaterThanOrEqual(15);
    const errors = new Set(file.cases.filter((c) => !c.valid).map((c) => c.error));
    expect([...errors].sort()).toEqual([
      'MAP_PROOF_MALFORMED',
      'MAP_ROOT_MISMATCH',
      'MAP_VALUE_INVALID',
      'MAP_VALUE_MISMATCH',
    ]);
  });

  it.each(file.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(checkCase(c)).toBe(c.valid ? null : c.error);
  });
});
