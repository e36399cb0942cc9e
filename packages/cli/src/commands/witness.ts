import path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { CliError } from '../cli-error.ts';
import { collect } from '../flags.ts';

interface ServeFlags {
  data?: string;
  listen?: string;
  log?: string[];
  name?: string;
  verifyMap?: boolean;
  ledger?: string;
  keyType?: string;
}

/**
 * `notarize witness serve --data DIR --listen HOST:PORT --log <ledger vkey>... [--name NAME]
 * [--verify-map --ledger URL]`: a C2SP tlog-witness (POST /add-checkpoint, /healthz, /metrics).
 * The first start creates the witness key in DIR and prints its vkey (type 0x04) on stdout.
 * `notarize witness info --data DIR [--json]`: its name, vkey, statement and any fork evidence.
 */
export function registerWitness(program: Command, ctx: CommandContext): void {
  const witness = program
    .command('witness')
    .description('Run a witness that cosigns ledger checkpoints (C2SP tlog-witness)');
  witness
    .command('serve')
    .description('Serve POST /add-checkpoint for the ledgers given with --log')
    .requiredOption('--data <dir>', "the witness's data directory (key, state per log)")
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8090')
    .option('--log <vkey>', 'a ledger to witness: its vkey (`notarize ledger info`)', collect)
    .option('--name <name>', 'name of a new witness key (a schema-less URL)')
    .option('--key-type <type>', 'signature type of a new key: ed25519 (default) or ml-dsa-44')
    .option(
      '--verify-map',
      'also replay the entries and cosign only when every map head is correct (needs --ledger)',
    )
    .option('--ledger <url>', 'the ledger service whose tiles a map-verifying witness reads')
    .action(async (flags: ServeFlags) => {
      if (flags.verifyMap && !flags.ledger) {
        throw new CliError('USAGE', 'input', '--verify-map needs --ledger <url> to read entries');
      }
      if (flags.ledger && !flags.verifyMap) {
        throw new CliError('USAGE', 'input', '--ledger is only read with --verify-map');
      }
      const keyType = flags.keyType;
      if (keyType !== undefined && keyType !== 'ed25519' && keyType !== 'ml-dsa-44') {
        throw new CliError(
          'USAGE',
          'input',
          `--key-type ${flags.keyType}: use ed25519 or ml-dsa-44`,
        );
      }
      // The witness server loads only for this command (the CLI's client paths never load it).
      const { jsonLogger, parseListen } = await import('@notarize/server/service');
      const { openWitness, startWitnessServer } = await import('@notarize/witness');
      let listen;
      try {
        listen = parseListen(flags.listen ?? '127.0.0.1:8090');
      } catch (error) {
        throw new CliError('USAGE', 'input', (error as Error).message, { cause: error });
      }
      const logger = jsonLogger('info');
      const opened = await openWitness({
        dataDir: path.resolve(ctx.cwd, flags.data!),
        logs: flags.log ?? [],
        ...(flags.name ? { name: flags.name } : {}),
        ...(keyType ? { algorithm: keyType } : {}),
        ...(flags.verifyMap ? { verifyMap: { ledger: flags.ledger! } } : {}),
        log: (level, msg, fields) => logger.log(level, msg, fields),
      });
      const started = await startWitnessServer(opened.witness, opened.metrics, listen, (l, m, f) =>
        logger.log(l, m, f),
      );
      ctx.output.notice(
        [
          `notarize: witness ${opened.identity.name} (${opened.identity.statement}) at ${started.url}/add-checkpoint${opened.created ? ' (new key)' : ''}`,
          'notarize: witness key (ledgers list it under `witnesses:`, gates pass it with --witness):',
        ].join('\n'),
      );
      ctx.output.print(opened.identity.vkey);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void started
            .close()
            .then(() => opened.close())
            .then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
  witness
    .command('info')
    .description("Print the witness's name, vkey and statement, and any fork evidence it kept")
    .requiredOption('--data <dir>', "the witness's data directory")
    .option('--json', 'print JSON')
    .action(async (flags: { data: string; json?: boolean }) => {
      const { ForkStore, readWitnessIdentity } = await import('@notarize/witness');
      const dataDir = path.resolve(ctx.cwd, flags.data);
      const identity = await readWitnessIdentity(dataDir);
      const forks = await new ForkStore(dataDir).list();
      if (flags.json) {
        ctx.output.json({ ...identity, forks });
        return;
      }
      ctx.output.print(
        [
          `name: ${identity.name}`,
          `key type: ${identity.algorithm ?? 'ed25519'}`,
          `statement: ${identity.statement === 'consistency' ? 'consistency (plain witness)' : 'consistency and correct lookup-map heads (map-verifying witness)'}`,
          `vkey: ${identity.vkey}`,
          `forks detected: ${forks.length}`,
          ...forks.map((f) => `  ${f.origin} at size ${f.size} (detected ${f.detected})`),
        ].join('\n'),
      );
    });
}
