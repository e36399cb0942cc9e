/**
 * The validators compile the project's schemas without checking them against JSON Schema's
 * meta-schema (ajv.ts: start time); this checks them against it, once, here.
 */
import { Ajv } from 'ajv';
import { policySchema } from '../policy/schema.ts';
import {
  assertionStatementSchema,
  evidenceStatementSchema,
  revocationStatementSchema,
} from '../schemas.ts';

const checker = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });

test.each([
  ['policy', policySchema],
  ['assertion statement', assertionStatementSchema],
  ['evidence statement', evidenceStatementSchema],
  ['revocation statement', revocationStatementSchema],
])('the %s schema is a valid JSON Schema', (_name, schema) => {
  expect(checker.validateSchema(schema)).toBe(true);
  expect(checker.errors ?? null).toBeNull();
});

test('a schema that is not valid JSON Schema fails the same check', () => {
  expect(checker.validateSchema({ type: 'object', required: 'name' })).toBe(false);
});
