import { runCli, type Output } from '../index.ts';

function capture(): Output & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    print: (t) => out.push(t),
    json: (v) => out.push(JSON.stringify(v)),
    notice: (t) => err.push(t),
    interactive: false,
  };
}

const run = (argv: string[], output = capture()) =>
  runCli(argv, { output, env: {}, cwd: process.cwd(), setExitCode: () => {} });

describe('notarize CLI', () => {
  it('prints help and exits 0', async () => {
    const output = capture();
    expect(await run(['--help'], output)).toBe(0);
    expect(output.out.join('\n')).toContain('Usage: notarize');
  });

  it('exits 10 on an unknown command', async () => {
    const output = capture();
    expect(await run(['frobnicate'], output)).toBe(10);
    expect(output.err.join('\n')).toMatch(/unknown command/);
  });
});
