/**
 * JSON Schema validation of request bodies and the config file, with Ajv. Ajv is loaded through
 * its CommonJS default export and used through the small surface that Ajv 6 and 8 share
 * (`new Ajv(opts).compile(schema)`, `errors[].{instancePath|dataPath, message, params}`), so this
 * works whichever major the workspace resolves for this package.
 */
import * as ajvModule from 'ajv';
import { ServiceError, type ServiceErrorCode } from './errors.ts';

interface AjvError {
  instancePath?: string;
  dataPath?: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}
type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
type AjvCtor = new (options: object) => { compile(schema: object): ValidateFn };

const namespace = ajvModule as unknown as { default?: unknown };
const Ajv = (typeof namespace.default === 'function'
  ? namespace.default
  : ajvModule) as unknown as AjvCtor;

let ajv: InstanceType<AjvCtor> | undefined;

function describe(error: AjvError): string {
  const where = (error.instancePath ?? error.dataPath ?? '').replace(/^\./, '/') || '/';
  const params = error.params ?? {};
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown member "${String(params.additionalProperty)}"`;
  }
  if (error.keyword === 'required') {
    return `${where}: missing member "${String(params.missingProperty)}"`;
  }
  return `${where}: ${error.message ?? error.keyword}`;
}

export type Validator<T> = (data: unknown, what: string) => T;

/** Compiles `schema` once; the validator throws `code` (SCHEMA_INVALID by default) naming the path. */
export function validator<T>(
  schema: object,
  code: ServiceErrorCode = 'SCHEMA_INVALID',
): Validator<T> {
  ajv ??= new Ajv({ allErrors: false });
  const validate = ajv.compile(schema);
  return (data, what) => {
    if (validate(data)) return data as T;
    const errors = (validate.errors ?? []).slice(0, 3).map(describe).join('; ');
    throw new ServiceError(code, `${what} is invalid: ${errors}`);
  };
}
