/**
 * JSON Schema of GitHub Actions metadata files (action.yml), after GitHub's documented
 * "Metadata syntax for GitHub Actions" (docs.github.com/actions/reference/metadata-syntax).
 * Written here because the published schemas we can install (SchemaStore's copy inside
 * @action-validator/cli 0.6.0) predate `runs.using: node24` and reject it.
 *
 * Covers: name/author/description, inputs (description, required, default,
 * deprecationMessage), outputs (description; `value` only for composite actions), the three
 * kinds of `runs` (JavaScript node20/node24, composite, docker) and branding (Feather icon name,
 * one of GitHub's eight colors). Unknown keys are errors, so a typo cannot go unnoticed.
 */
const ID = '^[A-Za-z_][A-Za-z0-9_-]*$';

const input = {
  type: 'object',
  required: ['description'],
  additionalProperties: false,
  properties: {
    description: { type: 'string', minLength: 1 },
    required: { type: 'boolean' },
    // The runner takes defaults as strings; YAML numbers and booleans are converted, so allow them.
    default: { type: ['string', 'number', 'boolean'] },
    deprecationMessage: { type: 'string', minLength: 1 },
  },
};

const plainOutput = {
  type: 'object',
  required: ['description'],
  additionalProperties: false,
  properties: { description: { type: 'string', minLength: 1 } },
};

const compositeOutput = {
  type: 'object',
  required: ['description', 'value'],
  additionalProperties: false,
  properties: { description: { type: 'string', minLength: 1 }, value: { type: 'string' } },
};

const javascriptRuns = {
  type: 'object',
  required: ['using', 'main'],
  additionalProperties: false,
  properties: {
    using: { enum: ['node20', 'node24'] },
    main: { type: 'string', minLength: 1 },
    pre: { type: 'string', minLength: 1 },
    'pre-if': { type: 'string', minLength: 1 },
    post: { type: 'string', minLength: 1 },
    'post-if': { type: 'string', minLength: 1 },
  },
};

const compositeRuns = {
  type: 'object',
  required: ['using', 'steps'],
  additionalProperties: false,
  properties: {
    using: { const: 'composite' },
    steps: { type: 'array', items: { type: 'object' } },
  },
};

const dockerRuns = {
  type: 'object',
  required: ['using', 'image'],
  additionalProperties: false,
  properties: {
    using: { const: 'docker' },
    image: { type: 'string', minLength: 1 },
    env: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    entrypoint: { type: 'string' },
    'pre-entrypoint': { type: 'string' },
    'post-entrypoint': { type: 'string' },
    args: { type: 'array', items: { type: 'string' } },
  },
};

export const BRANDING_COLORS = [
  'white',
  'black',
  'yellow',
  'blue',
  'green',
  'orange',
  'red',
  'purple',
  'gray-dark',
] as const;

export const actionMetadataSchema = {
  type: 'object',
  required: ['name', 'description', 'runs'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    author: { type: 'string' },
    description: { type: 'string', minLength: 1 },
    inputs: {
      type: 'object',
      propertyNames: { pattern: ID },
      additionalProperties: input,
    },
    outputs: {
      type: 'object',
      propertyNames: { pattern: ID },
      additionalProperties: { type: 'object' },
    },
    runs: { oneOf: [javascriptRuns, compositeRuns, dockerRuns] },
    branding: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // A Feather icon name (feathericons.com), lowercase with hyphens.
        icon: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
        color: { enum: BRANDING_COLORS },
      },
    },
  },
  // Composite actions map outputs to step outputs (`value`); the others must not.
  if: {
    type: 'object',
    properties: {
      runs: { type: 'object', properties: { using: { const: 'composite' } } },
    },
  },
  then: {
    type: 'object',
    properties: { outputs: { type: 'object', additionalProperties: compositeOutput } },
  },
  else: {
    type: 'object',
    properties: { outputs: { type: 'object', additionalProperties: plainOutput } },
  },
} as const;
