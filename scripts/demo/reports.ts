/**
 * The `--json` shapes the demo reads (docs/cli.md), and how it shows receipts compactly.
 */
export interface Receipt {
  subject: string;
  digest: string;
  status: string;
  index: number;
  checkpoint: { size: number; root: string };
}

export interface SubjectReport {
  subject: string;
  digest: string;
  decision: 'allow' | 'block';
  code: number;
  reasons: string[];
  identities: Record<string, string>;
}

/** `notarize status|gate --json`. */
export interface GateReport {
  decision: 'allow' | 'block';
  code: number;
  subjects: SubjectReport[];
  checkpoint: { size: number; root: string };
}

/** `notarize history --json` (the parts the demo looks at). */
export interface HistoryReport {
  events: { index: number; identity: string; kind: string; status?: string; reason?: string }[];
  checkpoint: { size: number; root: string };
}

const short = (digest: string) => `${digest.slice(0, 19)}…`;

/** One line per receipt (subject, short digest, status, index) and the checkpoint they share. */
export function receiptsTable(receipts: Receipt[]): string {
  const rows = receipts.map(
    (r) => `${r.subject.padEnd(22)} ${short(r.digest)}  ${r.status.padEnd(11)} index ${r.index}`,
  );
  const cp = receipts[0]?.checkpoint;
  return `${rows.join('\n')}\nin the signed checkpoint of tree size ${cp?.size}, root ${cp?.root}`;
}
