import type { CommandContext } from '../context.ts';
import { formatSize, progressLine, progressText } from '../progress.ts';

function terminal(withProgress = true) {
  const drawn: (string | undefined)[] = [];
  const ctx: CommandContext = {
    output: {
      print: () => {},
      json: () => {},
      notice: () => {},
      interactive: withProgress,
      ...(withProgress ? { progress: (t: string | undefined) => drawn.push(t) } : {}),
    },
    env: {},
    cwd: '/',
    setExitCode: () => {},
  };
  return { ctx, drawn };
}

describe('the progress line', () => {
  it('says done / total (percent), the rate and the time left, in binary units', () => {
    expect(progressText('digesting big.bin', 'bytes', 3 << 20, 8 << 20, 1000)).toBe(
      'digesting big.bin: 3.0 MiB / 8.0 MiB (37%), 3.0 MiB/s, 2s left',
    );
    expect(progressText('audit', 'entries', 1500, 6000, 500)).toBe(
      'audit: 1,500 entries / 6,000 entries (25%), 3000/s, 2s left',
    );
    expect(progressText('x', 'bytes', 0, undefined, 0)).toBe('x: 0 B');
    expect(progressText('x', 'bytes', 5 * 2 ** 30, 10 * 2 ** 30, 100_000)).toBe(
      'x: 5.00 GiB / 10.00 GiB (50%), 51.2 MiB/s, 1m40s left',
    );
    expect(formatSize(1536)).toBe('1.5 KiB');
  });

  it('draws nothing before the delay, redraws at most every interval, and clears at the end', () => {
    const { ctx, drawn } = terminal();
    let t = 0;
    const line = progressLine(ctx, 'bytes', { delayMs: 500, intervalMs: 100, now: () => t })!;
    line.update('a', 1);
    t = 499;
    line.update('a', 2);
    expect(drawn).toEqual([]);
    t = 500;
    line.update('a', 3);
    t = 550;
    line.update('a', 4); // within the interval: skipped
    t = 600;
    line.update('a', 5);
    expect(drawn).toHaveLength(2);
    expect(drawn[1]).toMatch(/^a: 5 B/);
    line.end();
    expect(drawn[2]).toBeUndefined();
    expect(drawn).toHaveLength(3);
  });

  it('quick work draws and clears nothing; without a terminal there is no line at all', () => {
    const { ctx, drawn } = terminal();
    const line = progressLine(ctx, 'bytes', { now: () => 0 })!;
    line.update('a', 1);
    line.end();
    expect(drawn).toEqual([]);
    expect(progressLine(terminal(false).ctx, 'bytes')).toBeUndefined();
  });
});
