/**
 * Schemas of the request bodies (API.md). They check the envelope of a request; the statement
 * inside is validated against @notarize/trust's statement schemas by kind before sequencing.
 * Sizes here are hard ceilings; the configured limits are enforced in code with clearer errors.
 */
const statement = {
  type: 'object',
  required: ['_type', 'subject', 'predicateType'],
  properties: {
    _type: { type: 'string' },
    subject: { type: 'array', minItems: 1 },
    predicateType: { type: 'string' },
    predicate: { type: 'object' },
  },
};

const envelope = {
  type: 'object',
  required: ['payloadType', 'payload', 'signatures'],
  additionalProperties: false,
  properties: {
    payloadType: { type: 'string', minLength: 1, maxLength: 256 },
    payload: { type: 'string' },
    signatures: {
      type: 'array',
      minItems: 1,
      maxItems: 16,
      items: {
        type: 'object',
        required: ['sig'],
        additionalProperties: false,
        properties: {
          keyid: { type: 'string', maxLength: 256 },
          sig: { type: 'string', minLength: 1 },
        },
      },
    },
  },
};

export interface AppendBody {
  entries: {
    kind: 'assertion' | 'evidence' | 'revocation';
    statement: Record<string, unknown>;
    envelope?: Record<string, unknown>;
  }[];
}

export const appendBodySchema = {
  type: 'object',
  required: ['entries'],
  additionalProperties: false,
  properties: {
    entries: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['kind', 'statement'],
        additionalProperties: false,
        properties: {
          kind: { enum: ['assertion', 'evidence', 'revocation'] },
          statement,
          envelope,
        },
      },
    },
  },
};

export interface RevocationBody {
  identity: string;
  reason: string;
  /** Revoke even an identity that is not configured and never wrote to the ledger. */
  force?: boolean;
}

export const revocationBodySchema = {
  type: 'object',
  required: ['identity', 'reason'],
  additionalProperties: false,
  properties: {
    identity: { type: 'string', minLength: 1, maxLength: 256 },
    reason: { type: 'string', maxLength: 4096 },
    force: { type: 'boolean' },
  },
};

/** Most subjects one status lookup may ask for; clients split larger sets. */
export const MAX_LOOKUP_SUBJECTS = 1000;

export interface StatusLookupBody {
  subjects: string[];
  at?: number;
  known?: number;
}

export const statusLookupBodySchema = {
  type: 'object',
  required: ['subjects'],
  additionalProperties: false,
  properties: {
    subjects: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_LOOKUP_SUBJECTS,
      items: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
    },
    at: { type: 'integer', minimum: 1 },
    known: { type: 'integer', minimum: 0 },
  },
};
