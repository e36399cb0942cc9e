/**
 * A decision as JUnit XML (`status|gate --junit FILE`), the test-report format every CI shows
 * (GitLab `artifacts:reports:junit`, Jenkins, Azure, the GitHub test-reporter actions): one test
 * case per subject, named `<name> (<digest>)`, a failure per blocked subject with its reasons.
 */
import type { GateReport } from './operations/evaluate.ts';

/** XML 1.0 text: the five entities escaped, characters XML cannot carry written as U+FFFD. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A blocking decision's code as the status it stands for (the failure's type). */
const STATUS_OF_CODE: Readonly<Record<number, string>> = {
  1: 'untrusted',
  2: 'unknown',
  3: 'unsupported',
  4: 'revoked',
};

export function junitReport(
  report: GateReport,
  options: { command: 'gate' | 'status'; policy: string; time?: Date },
): string {
  const suite = `notarize ${options.command}`;
  const failures = report.subjects.filter((s) => s.decision === 'block').length;
  const counts = `tests="${report.subjects.length}" failures="${failures}" errors="0" skipped="0" time="0"`;
  const cases = report.subjects.map((s) => {
    // As the user named it; a bare digest by the name the ledger recorded for it.
    const name = `${s.subject === s.digest ? (s.name ?? s.subject) : s.subject} (${s.digest})`;
    const identities =
      Object.entries(s.identities)
        .map(([who, status]) => `${who}=${status}`)
        .join(', ') || 'none';
    const open = `    <testcase classname="${xml(`notarize.${options.command}`)}" name="${xml(name)}" time="0">`;
    const out = `      <system-out>${xml(`identities: ${identities}\n${s.reasons.join('\n')}`)}</system-out>`;
    if (s.decision !== 'block') return `${open}\n${out}\n    </testcase>`;
    const first = s.reasons[0] ?? `blocked (code ${s.code})`;
    const detail = [...s.reasons, `identities: ${identities}`, `digest: ${s.digest}`].join('\n');
    return (
      `${open}\n      <failure message="${xml(first)}" type="${xml(STATUS_OF_CODE[s.code] ?? `code ${s.code}`)}">` +
      `${xml(detail)}</failure>\n${out}\n    </testcase>`
    );
  });
  const properties = [
    ['decision', `${report.decision} (code ${report.code})`],
    ['policy', options.policy],
    ['tree size', String(report.checkpoint.size)],
    ['root', report.checkpoint.root],
    ...(report.complete === false ? [['complete', 'false']] : []),
  ]
    .map(([name, value]) => `      <property name="${xml(name!)}" value="${xml(value!)}"/>`)
    .join('\n');
  const timestamp = (options.time ?? new Date()).toISOString().replace(/\.\d+Z$/, '');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(suite)}" ${counts}>`,
    `  <testsuite name="${xml(suite)}" ${counts} timestamp="${timestamp}">`,
    `    <properties>\n${properties}\n    </properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** The report of a run that reached no decision: one errored test case with the error's code. */
export function junitError(
  command: 'gate' | 'status',
  code: string,
  message: string,
  exit: number,
  time: Date = new Date(),
): string {
  const suite = `notarize ${command}`;
  const counts = 'tests="1" failures="0" errors="1" skipped="0" time="0"';
  const timestamp = time.toISOString().replace(/\.\d+Z$/, '');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(suite)}" ${counts}>`,
    `  <testsuite name="${xml(suite)}" ${counts} timestamp="${timestamp}">`,
    `    <testcase classname="${xml(`notarize.${command}`)}" name="${xml(`${command} (no decision)`)}" time="0">`,
    `      <error message="${xml(`${code}: ${message}`)}" type="${xml(`exit code ${exit}`)}">${xml(message)}</error>`,
    '    </testcase>',
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
