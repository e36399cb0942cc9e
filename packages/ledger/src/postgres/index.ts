export {
  PostgresStore,
  type PostgresStoreOptions,
  type HeadReservation,
} from './postgres-store.ts';
export { isPostgresSpec, parsePostgresSpec, redact, type PostgresSpec } from './connection.ts';
export { MIGRATIONS, SCHEMA_VERSION, migrate, type Migration } from './migrations.ts';
export { openStore, parseStoreSpec, type OpenStoreOptions, type StoreSpec } from './open-store.ts';
export { copyLedgerStore, type CopyOptions, type CopyReport } from './copy-store.ts';
