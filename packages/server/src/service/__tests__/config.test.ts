import path from 'node:path';
import { configFromDocument, loadConfig, parseListen, readOnlyConfig } from '../config.ts';
import { ServiceMetrics } from '../metrics.ts';

const here = path.dirname(new URL(import.meta.url).pathname);

describe('service config', () => {
  it('loads the documented example', async () => {
    const config = await loadConfig(path.join(here, '..', 'example-config.yaml'));
    expect(config).toMatchObject({
      origin: 'notarize.example.com/ledger',
      listen: { host: '127.0.0.1', port: 8080 },
      dataDir: '/var/lib/notarize',
      writable: true,
      anonymousRead: true,
    });
    expect(config.auth.roles['release-manager']).toMatchObject({
      assert: ['trusted', 'untrusted', 'unsupported'],
    });
    expect(config.auth.oidc.issuers).toHaveLength(2);
  });

  it.each([
    [{ listne: '1:2' }, /unknown member "listne"/],
    [{ limits: { maxBodyBytes: 0 } }, /maxBodyBytes/],
    [{ limits: { maxEntryBytes: 70000 } }, /65535/],
    [{ storage: 'mysql://db/ledger' }, /not supported/],
    [{ apiKeys: [{ hash: 'nope', identity: 'x' }] }, /apiKeys/],
  ])('refuses %j', (doc, message) => {
    expect(() => configFromDocument(doc, '/tmp')).toThrow(message);
  });

  it('parses listen addresses and defaults to read-only without a file', () => {
    expect(parseListen('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseListen(':8081')).toEqual({ host: '127.0.0.1', port: 8081 });
    expect(() => parseListen('localhost')).toThrow(/HOST:PORT/);
    expect(readOnlyConfig({ dataDir: '/d' })).toMatchObject({
      writable: false,
      anonymousRead: true,
      dataDir: '/d',
    });
  });
});

describe('metrics', () => {
  it('renders Prometheus text with counters, histograms and gauges', () => {
    const m = new ServiceMetrics(
      () => 42,
      () => 1,
      () => 0,
    );
    m.appends.inc();
    m.latency.observe(0.003, { route: 'entries' });
    m.errors.inc({ code: 'FORBIDDEN' });
    const text = m.render();
    expect(text).toContain('notarize_appends_total 1');
    expect(text).toContain('notarize_tree_size 42');
    expect(text).toContain(
      'notarize_http_request_duration_seconds_bucket{le="0.005",route="entries"} 1',
    );
    expect(text).toContain('notarize_errors_total{code="FORBIDDEN"} 1');
    expect(text.endsWith('\n')).toBe(true);
  });
});
