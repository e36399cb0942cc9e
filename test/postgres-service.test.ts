/** The service configuration's PostgreSQL storage: `storage: postgres://…` and NOTARIZE_STORE. */
import path from 'node:path';
import { configFromDocument, readOnlyConfig } from '../packages/server/src/service/config.ts';

const URL_A = 'postgres://notarize@db.example:5432/notarize?schema=notary';

describe('service config: PostgreSQL storage', () => {
  const saved = process.env.NOTARIZE_STORE;
  afterEach(() => {
    if (saved === undefined) delete process.env.NOTARIZE_STORE;
    else process.env.NOTARIZE_STORE = saved;
  });

  it('takes storage: postgres://… as the store and keeps data for the key and blobs', () => {
    delete process.env.NOTARIZE_STORE;
    const config = configFromDocument({ storage: URL_A, data: 'keys' }, '/srv/notary');
    expect(config.store).toBe(URL_A);
    expect(config.dataDir).toBe(path.resolve('/srv/notary/keys'));
    const plain = configFromDocument({ storage: 'file:ledger' }, '/srv/notary');
    expect(plain.store).toBeUndefined();
    expect(plain.dataDir).toBe(path.resolve('/srv/notary/ledger'));
  });

  it('lets NOTARIZE_STORE override the file (and the read-only default)', () => {
    process.env.NOTARIZE_STORE = 'postgresql://other@db2/notarize';
    expect(configFromDocument({ storage: URL_A }, '/srv').store).toBe(
      'postgresql://other@db2/notarize',
    );
    expect(configFromDocument({}, '/srv').store).toBe('postgresql://other@db2/notarize');
    expect(readOnlyConfig({ cwd: '/srv' }).store).toBe('postgresql://other@db2/notarize');
  });

  it('refuses a NOTARIZE_STORE that is not a PostgreSQL URL', () => {
    process.env.NOTARIZE_STORE = 'file:/var/lib/notarize';
    expect(() => configFromDocument({}, '/srv')).toThrow(/NOTARIZE_STORE must be a postgres/);
  });
});
