/** One shared, lazily created Ajv instance: compiling schemas costs time, so do it once and only when needed. */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

export function compileSchema(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    // validateSchema: false — checking our constant schemas against JSON Schema's meta-schema
    // compiled the meta-schema at every start (~70 ms of a gate run); schemas-meta.test.ts does
    // that check once, in the tests. Strict mode still refuses unknown keywords.
    ajv ??= new Ajv({
      allErrors: true,
      strict: true,
      allowUnionTypes: true,
      validateSchema: false,
    });
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** `/a/0/b` -> `a[0].b`, the way people write paths into YAML and JSON documents. */
export function instancePathToDots(instancePath: string): string {
  let out = '';
  for (const part of instancePath.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out ? `.${key}` : key;
  }
  return out;
}

/** A readable one-line description of one Ajv error. */
export function describeAjvError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown key "${String(params.additionalProperty)}"`;
    case 'required':
      return `missing required key "${String(params.missingProperty)}"`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return error.message ?? error.keyword;
  }
}
