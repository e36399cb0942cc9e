/** JSON Schema of a gate policy file. Unknown keys are errors, so a typo never weakens a gate. */
import { DURATION_PATTERN } from './duration.ts';

function ruleSchema(statuses: readonly string[]) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['status'],
    properties: {
      identity: { type: 'string', minLength: 1 },
      role: { type: 'string', minLength: 1 },
      status: { enum: statuses },
      min: { type: 'integer', minimum: 1 },
      maxAge: { type: 'string', pattern: DURATION_PATTERN },
      signedBy: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      ci: {
        type: 'object',
        minProperties: 1,
        additionalProperties: {
          type: ['string', 'array'],
          minLength: 1,
          minItems: 1,
          items: { type: 'string', minLength: 1 },
        },
      },
    },
  } as const;
}

export const REQUIRE_STATUSES = ['trusted', 'untrusted', 'unsupported', 'eol', 'revoked'] as const;
/** A block rule on `trusted` would block with exit code 0, which means "allow": not allowed. */
export const BLOCK_STATUSES = ['untrusted', 'unsupported', 'eol', 'revoked'] as const;

export const policySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: { const: 1 },
    require: { type: 'array', items: ruleSchema(REQUIRE_STATUSES) },
    block: { type: 'array', items: ruleSchema(BLOCK_STATUSES) },
    // Reads for this policy must be proved against a checkpoint cosigned by a witness quorum.
    witnesses: {
      type: 'object',
      additionalProperties: false,
      required: ['keys'],
      properties: {
        keys: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        quorum: { type: 'integer', minimum: 1 },
        maxAge: { type: 'string', pattern: DURATION_PATTERN },
      },
    },
  },
} as const;
