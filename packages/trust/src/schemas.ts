/**
 * JSON Schemas of the statements this package builds; the ledger validates what it is asked to
 * append with them (statement.ts). additionalProperties is false wherever a typo would otherwise
 * silently lose information.
 */
import {
  ASSERTION_PREDICATE_TYPE,
  EVIDENCE_PREDICATE_TYPE,
  REVOCATION_PREDICATE_TYPE,
  STATEMENT_TYPE,
} from './predicates.ts';

const stringMap = {
  type: 'object',
  additionalProperties: { type: 'string', maxLength: 4096 },
  maxProperties: 256,
} as const;

const nonEmpty = { type: 'string', minLength: 1, maxLength: 4096 } as const;

export const ciContextSchema = {
  type: 'object',
  required: ['provider', 'project'],
  additionalProperties: false,
  properties: {
    provider: nonEmpty,
    project: nonEmpty,
    pipelineId: nonEmpty,
    jobId: nonEmpty,
    jobUrl: nonEmpty,
    commit: nonEmpty,
    ref: nonEmpty,
    runAttempt: nonEmpty,
    workflowRef: nonEmpty,
    serverUrl: nonEmpty,
    job: nonEmpty,
  },
} as const;

const subjectSchema = {
  type: 'object',
  required: ['digest'],
  properties: {
    name: { type: 'string' },
    digest: {
      type: 'object',
      required: ['sha256'],
      properties: { sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
      additionalProperties: { type: 'string' },
    },
  },
} as const;

function statementSchema(predicateType: string, predicate: object) {
  return {
    type: 'object',
    required: ['_type', 'subject', 'predicateType', 'predicate'],
    additionalProperties: false,
    properties: {
      _type: { const: STATEMENT_TYPE },
      subject: { type: 'array', minItems: 1, items: subjectSchema },
      predicateType: { const: predicateType },
      predicate,
    },
  };
}

export const assertionStatementSchema = statementSchema(ASSERTION_PREDICATE_TYPE, {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: {
    status: { enum: ['trusted', 'untrusted', 'unsupported'] },
    reason: { type: 'string', maxLength: 4096 },
    metadata: stringMap,
    ci: ciContextSchema,
    signer: {
      type: 'object',
      required: ['identity', 'time'],
      additionalProperties: false,
      properties: {
        identity: nonEmpty,
        time: {
          type: 'string',
          pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$',
        },
      },
    },
  },
});

export const evidenceStatementSchema = statementSchema(EVIDENCE_PREDICATE_TYPE, {
  type: 'object',
  required: ['ci', 'file'],
  additionalProperties: false,
  properties: {
    ci: ciContextSchema,
    file: {
      type: 'object',
      required: ['name', 'mediaType', 'size', 'digest'],
      additionalProperties: false,
      properties: {
        name: nonEmpty,
        mediaType: nonEmpty,
        size: { type: 'integer', minimum: 0 },
        digest: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
      },
    },
    metadata: stringMap,
  },
});

export const revocationStatementSchema = statementSchema(REVOCATION_PREDICATE_TYPE, {
  type: 'object',
  required: ['identity', 'reason'],
  additionalProperties: false,
  properties: {
    identity: nonEmpty,
    reason: { type: 'string', maxLength: 4096 },
  },
});
