import path from 'node:path';
import type { Command } from 'commander';
import type { ServiceConfig } from '@notarize/server/service';
import type { CommandContext } from '../context.ts';

interface ServeOptions {
  data?: string;
  config?: string;
  listen?: string;
}

/**
 * `notarize serve [--data DIR] [--config FILE] [--listen HOST:PORT]`: serves a ledger over HTTP
 * until SIGINT/SIGTERM, then drains in-flight requests. Without --config it is read-only for
 * everyone (docs/cli.md). Prints the ledger's vkey, which clients pin.
 */
export function registerServe(program: Command, ctx: CommandContext): void {
  program
    .command('serve')
    .description('Serve a ledger over HTTP (JSON API under /v1/ and C2SP tlog-tiles)')
    .option('--data <dir>', "ledger data directory (default: the config's, else .notarize)")
    .option('--config <file>', 'service config (YAML); without it the service is read-only')
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:8080)')
    .action(async (options: ServeOptions) => {
      // The service loads only when it is started: other commands never evaluate server code.
      const { jsonLogger, loadConfig, readOnlyConfig, startLedgerService } =
        await import('@notarize/server/service');
      const overrides = {
        ...(options.data ? { dataDir: path.resolve(ctx.cwd, options.data) } : {}),
        ...(options.listen ? { listen: options.listen } : {}),
      };
      const config: ServiceConfig = options.config
        ? await loadConfig(path.resolve(ctx.cwd, options.config), overrides)
        : readOnlyConfig({ ...overrides, cwd: ctx.cwd });
      const started = await startLedgerService(config, {
        logger: jsonLogger(config.logLevel),
        ...(options.config
          ? { configDir: path.dirname(path.resolve(ctx.cwd, options.config)) }
          : {}),
      });
      ctx.output.notice(
        [
          `notarize: serving ledger ${started.origin} at ${started.url}${config.writable ? '' : ' (read-only: no --config)'}`,
          `notarize: data: ${config.dataDir}`,
          `notarize: ledger key (clients pin it with NOTARIZE_LEDGER_KEY):`,
        ].join('\n'),
      );
      ctx.output.print(started.vkey);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          ctx.output.notice(`notarize: ${signal}: draining in-flight requests`);
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
          void started.close().then(resolve, resolve);
        };
        const onInt = () => stop('SIGINT');
        const onTerm = () => stop('SIGTERM');
        process.on('SIGINT', onInt);
        process.on('SIGTERM', onTerm);
      });
    });
}
