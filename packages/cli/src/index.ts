export { runCli, buildProgram, VERSION } from './program.ts';
export { ExitCode, exitCodeForCategory, type ErrorCategory } from './exit-codes.ts';
export { CliError, describeError, isCategorized, type CategorizedError } from './cli-error.ts';
export type { CommandContext } from './context.ts';
export { printable, processOutput, table, type Output } from './output.ts';
export { notarize, type NotarizeInput, type NotarizeResult } from './operations/notarize.ts';
export { evaluate, type EvaluateInput, type GateReport } from './operations/evaluate.ts';
export { history, type HistoryEvent, type HistoryReport } from './operations/history.ts';
export {
  connectLedger,
  withLedger,
  defaultIdentity,
  DEFAULT_AUDIENCE,
  DEFAULT_LEDGER,
  ledgerLocation,
  type LedgerAccess,
  type LedgerFlags,
} from './ledger-access.ts';
export { resolveSubjects, type SubjectFlags } from './subjects.ts';
export { recordedLine } from './recorded-line.ts';
export { loadPolicy, loadSigningKey, loadPublicKeys, parseTreeSize, collectMeta } from './flags.ts';
export { addEvidence, getEvidence, type EvidenceAddResult } from './operations/evidence.ts';
