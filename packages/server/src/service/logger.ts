/**
 * Structured logs: one JSON object per line on stderr (or a given sink). Callers pass fields, never
 * headers or bodies, so tokens and API keys cannot leak into the log; `redact` is a second guard
 * for fields whose names say they hold a secret.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET = /token|secret|password|authorization|api[-_]?key|cookie/i;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
}

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET.test(k) ? '[redacted]' : v;
  return out;
}

export function jsonLogger(
  minLevel: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  return {
    log(level, msg, fields = {}) {
      if (LEVELS[level] < LEVELS[minLevel]) return;
      const record = { time: new Date().toISOString(), level, msg, ...redact(fields) };
      write(`${JSON.stringify(record)}\n`);
    },
  };
}

export const silentLogger: Logger = { log() {} };
