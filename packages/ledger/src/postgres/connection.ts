/**
 * Store specs for PostgreSQL: `postgres://user:pass@host:5432/db?schema=notarize` (or
 * `postgresql://`). `schema` (default `public`) names the PostgreSQL schema that holds one log's
 * tables, so several logs (e.g. temporal shards) can share a database. Every other parameter
 * goes to `pg` as is (sslmode, application_name, ...).
 */
import { LedgerError } from '../errors.ts';

export const DEFAULT_SCHEMA = 'public';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresSpec {
  /** The connection string handed to `pg` (without `schema`). */
  connectionString: string;
  schema: string;
}

export function isPostgresSpec(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new LedgerError(
      'STORE_UNAVAILABLE',
      'input',
      `"${schema}" is not a usable schema name: use lower-case letters, digits and _ (at most 63)`,
    );
  }
  return schema;
}

export function parsePostgresSpec(spec: string): PostgresSpec {
  let url: URL;
  try {
    url = new URL(spec);
  } catch (error) {
    throw new LedgerError(
      'STORE_UNAVAILABLE',
      'input',
      `"${redact(spec)}" is not a PostgreSQL URL: write postgres://user:password@host:port/database`,
      { cause: error },
    );
  }
  if (!isPostgresSpec(spec)) {
    throw new LedgerError(
      'STORE_UNAVAILABLE',
      'input',
      `"${redact(spec)}" is not a PostgreSQL URL: it must start with postgres:// or postgresql://`,
    );
  }
  const schema = checkSchemaName(url.searchParams.get('schema') ?? DEFAULT_SCHEMA);
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema };
}

/** The spec without its password, for messages and logs. */
export function redact(spec: string): string {
  try {
    const url = new URL(spec);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return spec.replace(/:\/\/([^:@/]*):[^@/]*@/, '://$1:***@');
  }
}
