import { processOutput } from './output.ts';
import { runCli } from './program.ts';

const code = await runCli(process.argv.slice(2), {
  output: processOutput(),
  env: process.env,
  cwd: process.cwd(),
  setExitCode: () => {},
});
process.exitCode = code;
