// Diagnostics of the ldirectord.cf parser: stable codes, a sink that keeps them in the
// order ldirectord would detect them, and compiler-style rendering for `configtest`.
import type { Diagnostic, Severity } from './model.js';

/** Every code the parser emits; docs/config.md documents each with a fix hint. */
export const DIAGNOSTIC_CODES = [
  'E-UNKNOWN-DIRECTIVE',
  'E-BAD-VALUE',
  'E-NOT-QUOTED',
  'E-BAD-ADDRESS',
  'E-FAMILY',
  'E-RESOLVE',
  'E-REAL-SYNTAX',
  'E-FORWARD',
  'E-RANGE',
  'E-DUPLICATE-VIRTUAL',
  'E-EMPTY-VIRTUAL',
  'E-DEPRECATED',
  'E-INDENT',
  'E-FILE',
  'E-REGEX',
  'W-DEPRECATED',
  'W-IGNORED',
  'W-DUPLICATE-REAL',
  'W-TRAILING',
  'W-MISSING-DIR',
  'W-VALUE',
  'W-COMPAT',
  'W-SECRET-READABLE',
  'W-SMTPAUTH-CLEARTEXT',
  'N-SEE',
] as const;
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  constructor(private readonly file: string) {}

  add(severity: Severity, code: DiagnosticCode, line: number, column: number, message: string): void {
    this.list.push({ severity, code, message, file: this.file, line, column: Math.max(1, column) });
  }
  error(code: DiagnosticCode, line: number, column: number, message: string): void {
    this.add('error', code, line, column, message);
  }
  warn(code: DiagnosticCode, line: number, column: number, message: string): void {
    this.add('warning', code, line, column, message);
  }
  note(line: number, column: number, message: string): void {
    this.add('note', 'N-SEE', line, column, message);
  }
  get errorCount(): number {
    return this.list.filter((d) => d.severity === 'error').length;
  }
}

/** `file:line:col: error[CODE]: message` (line 0: `file: ...`). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  return `${where}: ${d.severity}[${d.code}]: ${d.message}`;
}

/** Optimal-string-alignment distance: like Levenshtein, with a swap of neighbours costing 1 ("htpt" -> "http"). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest known word, when it is close enough to be a likely typo. */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const k of known) {
    const d = editDistance(w, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}
