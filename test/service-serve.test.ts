/** `notarize serve`: prints the vkey, serves read-only without a config, drains on SIGTERM. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { registerServe } from '../packages/cli/src/commands/serve.ts';
import type { CommandContext } from '../packages/cli/src/context.ts';

async function serve(args: string[], cwd: string) {
  const printed: string[] = [];
  const notices: string[] = [];
  const ctx: CommandContext = {
    output: {
      print: (t) => printed.push(t),
      json: (v) => printed.push(JSON.stringify(v)),
      notice: (t) => notices.push(t),
      interactive: false,
    },
    env: {},
    cwd,
    setExitCode: () => {},
  };
  const program = new Command('notarize').exitOverride();
  registerServe(program, ctx);
  const done = program.parseAsync(['serve', ...args], { from: 'user' });
  for (let i = 0; i < 500 && printed.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const url = /at (http:\/\/\S+)/.exec(notices.join('\n'))?.[1];
  return {
    printed,
    notices,
    url: url!,
    stop: async () => {
      process.emit('SIGTERM', 'SIGTERM');
      await done;
    },
  };
}

describe('notarize serve', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'serve-'));
  });
  afterEach(() => rm(tmp, { recursive: true, force: true }));

  it('prints the vkey and, without --config, refuses writes', async () => {
    const s = await serve(['--data', 'ledger', '--listen', '127.0.0.1:0'], tmp);
    try {
      expect(s.printed[0]).toMatch(/^notarize\.local\/[0-9a-f]+\+[0-9a-f]{8}\+/);
      expect(s.notices.join('\n')).toMatch(/read-only/);
      const info = (await (await fetch(`${s.url}/v1/info`)).json()) as {
        vkey: string;
        readOnly: boolean;
      };
      expect(info).toMatchObject({ vkey: s.printed[0], readOnly: true });
      const write = await fetch(`${s.url}/v1/entries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(write.status).toBe(403);
    } finally {
      await s.stop();
    }
    expect(s.notices.join('\n')).toMatch(/SIGTERM: draining/);
  });

  it('takes --config with identities and a listen address', async () => {
    await writeFile(
      path.join(tmp, 'config.yaml'),
      'origin: serve.example/ledger\nlisten: 127.0.0.1:0\nstorage: file:data\nlog: {level: error}\nidentities: {ci: {role: pipeline}}\n',
    );
    const s = await serve(['--config', 'config.yaml'], tmp);
    try {
      expect(s.printed[0]).toMatch(/^serve\.example\/ledger\+/);
      const health = (await (await fetch(`${s.url}/healthz`)).json()) as { status: string };
      expect(health.status).toBe('ok');
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      expect(metrics).toContain('notarize_tree_size 0');
    } finally {
      await s.stop();
    }
  });
});
