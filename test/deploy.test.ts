/**
 * deploy/: the Kubernetes manifests validate against the Kubernetes API schemas (the
 * kubernetes-models package's validators) and use the image `npm run image` builds — its user,
 * port, volume and health endpoint; the systemd unit passes `systemd-analyze verify` (with its
 * ExecStart pointed at this checkout's CLI, which is what the npm package installs as
 * `notarize`); the compose file runs that image the same way. Each check is shown to fail on a
 * broken document.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { IMAGE_PORT, IMAGE_USER } from '../scripts/image.ts';

const RELEASE_IMAGE = 'ghcr.io/notarize-dev/notarize-action:v1';
const KINDS = { ConfigMap, Service, StatefulSet } as const;

function validate(doc: { kind: keyof typeof KINDS }): void {
  const Model = KINDS[doc.kind];
  if (!Model) throw new Error(`unexpected kind ${String(doc.kind)}`);
  new Model(doc as never).validate();
}

describe('deploy/kubernetes/notarize.yaml', () => {
  const docs = parseAllDocuments(readFileSync('deploy/kubernetes/notarize.yaml', 'utf8')).map(
    (d) => d.toJS() as { kind: keyof typeof KINDS } & Record<string, unknown>,
  );

  test('every object validates against the Kubernetes schema', () => {
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'StatefulSet', 'Service']);
    for (const doc of docs) expect(() => validate(doc)).not.toThrow();
  });

  test('a broken object fails the same validation', () => {
    const broken = structuredClone(docs[1]!) as unknown as { spec: { replicas: unknown } };
    broken.spec.replicas = 'one';
    expect(() => validate(broken as never)).toThrow(/replicas must be integer/);
  });

  test('runs the release image as its user, on its port, with /data and /healthz', () => {
    const set = docs[1] as unknown as {
      spec: {
        replicas: number;
        template: {
          spec: {
            securityContext: { runAsUser: number; runAsNonRoot: boolean };
            containers: {
              image: string;
              ports: { containerPort: number }[];
              readinessProbe: { httpGet: { path: string } };
              volumeMounts: { mountPath: string }[];
            }[];
          };
        };
      };
    };
    const pod = set.spec.template.spec;
    const [container] = pod.containers;
    expect(set.spec.replicas).toBe(1); // one writer per data directory
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: IMAGE_USER.uid });
    expect(container!.image).toBe(RELEASE_IMAGE);
    expect(container!.ports[0]!.containerPort).toBe(IMAGE_PORT);
    expect(container!.readinessProbe.httpGet.path).toBe('/healthz');
    expect(container!.volumeMounts.map((m) => m.mountPath)).toContain('/data');
    const config = parse(
      (docs[0] as unknown as { data: Record<string, string> }).data['notarize.yaml']!,
    ) as {
      data: string;
      listen: string;
    };
    expect(config).toMatchObject({ data: '/data', listen: `0.0.0.0:${IMAGE_PORT}` });
  });
});

describe('deploy/notarize.service', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'notarize-systemd-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const verify = async (unit: string) => {
    const file = path.join(tmp, 'notarize.service');
    await writeFile(file, unit);
    return spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  };
  const unit = readFileSync('deploy/notarize.service', 'utf8');
  const installed = unit.replace('/usr/bin/notarize', path.resolve('dist/cli/index.js'));

  test('systemd-analyze verify accepts it', async () => {
    expect(unit).toContain('ExecStart=/usr/bin/notarize serve ');
    const result = await verify(installed);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('systemd-analyze verify refuses a broken unit, and warns of a doubtful one', async () => {
    const missing = await verify(
      installed.replace(path.resolve('dist/cli/index.js'), '/nonexistent/notarize'),
    );
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('/nonexistent/notarize is not executable');
    // A warning alone exits 0: the passing test above requires an empty stderr for that reason.
    const doubtful = await verify(installed.replace('Type=exec', 'Type=sometimes'));
    expect(doubtful.stderr).toContain('Failed to parse service type');
  });
});

test('deploy/compose.yaml runs the release image with /data and /healthz', () => {
  const compose = parse(readFileSync('deploy/compose.yaml', 'utf8'), { merge: true }) as {
    services: Record<
      string,
      { image?: string; volumes?: string[]; healthcheck?: { test: string[] } }
    >;
  };
  const one = compose.services['notarize-1']!;
  expect(one.image).toBe(`\${NOTARIZE_IMAGE:-${RELEASE_IMAGE}}`);
  expect(one.volumes).toContain('notarize-data:/data');
  expect(one.healthcheck!.test.slice(0, 2)).toEqual(['CMD', '/usr/local/bin/node']);
  expect(one.healthcheck!.test.join(' ')).toContain('/healthz');
  expect(compose.services['notarize-2']!.image).toBe(one.image);
});
