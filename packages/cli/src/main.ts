import { VERSION } from './version.ts';

// `notarize --version` answers without loading (evaluating) the commands and their dependencies:
// it is what install checks and health probes run, and it should cost little more than Node's own
// start. Everything else loads the program.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const [{ processOutput }, { runCli }] = await Promise.all([
    import('./output.ts'),
    import('./program.ts'),
  ]);
  process.exitCode = await runCli(argv, {
    output: processOutput(),
    env: process.env,
    cwd: process.cwd(),
    setExitCode: () => {},
  });
}
