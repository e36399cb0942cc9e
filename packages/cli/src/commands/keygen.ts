import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { generateSigningKey, parseSigningAlgorithm } from '@notarize/trust';
import type { CommandContext } from '../context.ts';
import { CliError } from '../cli-error.ts';

interface KeygenFlags {
  apiKey?: boolean;
  alg?: string;
  out?: string;
  json?: boolean;
}

async function writeNew(file: string, text: string, mode: number): Promise<void> {
  try {
    // 'wx': never overwrite a key someone already relies on.
    await writeFile(file, text, { mode, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError(
        'KEY_EXISTS',
        'input',
        `${file} exists; choose another --out or remove it first`,
        { cause: error },
      );
    }
    throw new CliError(
      'KEY_UNWRITABLE',
      'input',
      `cannot write ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

export function registerKeygen(program: Command, ctx: CommandContext): void {
  program
    .command('keygen')
    .description(
      'Create a signing key pair for DSSE-signed assertions (default), or with --api-key a ledger API key and the hash to put in the service config',
    )
    .option('--api-key', 'create an API key for the ledger service instead')
    .option('--alg <algorithm>', 'signing key algorithm: ed25519 (default) or ecdsa-p256')
    .option(
      '--out <prefix>',
      'write <prefix>.key (private, mode 0600) and <prefix>.pub (default: notarize)',
    )
    .option('--json', 'print JSON')
    .action(async (flags: KeygenFlags) => {
      if (flags.apiKey) {
        // The server package loads only for the command that needs it (start time of the rest).
        const { generateApiKey } = await import('@notarize/server/auth');
        const key = generateApiKey();
        if (flags.json) ctx.output.json(key);
        else {
          ctx.output.print(`api key: ${key.key}`);
          ctx.output.print(`hash:    ${key.hash}`);
          ctx.output.notice(
            'The key is shown once: hand it to its user as a secret (NOTARIZE_TOKEN). Put only the hash in the service config (apiKeys: - hash: …).',
          );
        }
        return;
      }
      const pair = await generateSigningKey(parseSigningAlgorithm(flags.alg ?? 'ed25519'));
      const prefix = path.resolve(ctx.cwd, flags.out ?? 'notarize');
      await writeNew(`${prefix}.key`, pair.privateKeyPem, 0o600);
      await writeNew(`${prefix}.pub`, pair.publicKeyPem, 0o644);
      if (flags.json) {
        ctx.output.json({
          algorithm: pair.algorithm,
          keyid: pair.keyid,
          privateKey: `${prefix}.key`,
          publicKey: `${prefix}.pub`,
        });
      } else {
        ctx.output.print(`${pair.algorithm} key ${pair.keyid}`);
        ctx.output.print(`private: ${prefix}.key (keep secret; pass with --key)`);
        ctx.output.print(
          `public:  ${prefix}.pub (give to gates: policy signedBy or --trusted-key)`,
        );
      }
    });
}
