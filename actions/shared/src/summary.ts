/**
 * The job summary (GITHUB_STEP_SUMMARY): one readable table per step. Cells are HTML, so every
 * value that comes from a user (file names, reasons) is escaped.
 */
import * as core from '@actions/core';

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export const code = (text: string): string => `<code>${escapeHtml(text)}</code>`;

export interface SummaryTable {
  heading: string;
  columns: readonly string[];
  /** Cells are HTML: escape user text with escapeHtml / code. */
  rows: readonly (readonly string[])[];
  /** HTML lines under the table. */
  notes?: readonly string[];
  /** The job page, linked under the table. */
  jobUrl?: string | undefined;
}

/** Writes the table when the runner gives a summary file; a local run just skips it. */
export async function writeSummary(table: SummaryTable, env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set: no job summary written');
    return;
  }
  const summary = core.summary
    .addHeading(escapeHtml(table.heading), 3)
    .addTable([
      table.columns.map((c) => ({ data: escapeHtml(c), header: true })),
      ...table.rows.map((r) => [...r]),
    ]);
  for (const note of table.notes ?? []) summary.addRaw(`<p>${note}</p>`, true);
  if (table.jobUrl) summary.addLink('Job run', table.jobUrl).addEOL();
  await summary.write();
}
