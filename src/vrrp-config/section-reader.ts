// Reads one vrrp.cf section's entries against its directive table: reports unknown
// keys (with did-you-mean), `key[]` on one-value directives and repeats, then hands
// out typed values, each failure a positioned diagnostic.

import type { SourceRef } from '../config/model.js';
import { didYouMean } from '../config/diagnostics.js';
import { DiagnosticSink, type VrrpDiagnosticCode } from './diagnostics.js';
import { DIRECTIVES, GLOBAL_ALIASES, KEEPALIVED_HINTS, SECTION_KINDS, type DirectiveShape, type SectionKind } from './directives.js';
import type { ScannedEntry } from './ini-scan.js';
import { isValueError, parseBoolean, parseInteger, parseNumber, type Parsed } from './values.js';

export interface Located<T> {
  readonly value: T;
  readonly entry: ScannedEntry;
}

function unknownDirectiveMessage(key: string, kind: SectionKind, label: string): string {
  const known = Object.keys(DIRECTIVES[kind]);
  const hint = KEEPALIVED_HINTS[key.toLowerCase()];
  if (hint) return `unknown directive "${key}" in ${label}: ${hint}`;
  const elsewhere = SECTION_KINDS.filter((k) => k !== kind && key in DIRECTIVES[k]);
  if (elsewhere.length > 0) {
    return `"${key}" does not belong in ${label}; it is a ${elsewhere.map((k) => (k === 'global' ? '[global]' : `[${k} NAME]`)).join(' / ')} directive`;
  }
  const guess = didYouMean(key, known);
  return `unknown directive "${key}" in ${label}${guess ? `; did you mean "${guess}"?` : ''}`;
}

export class SectionReader {
  private readonly byKey = new Map<string, ScannedEntry[]>();

  constructor(
    private readonly sink: DiagnosticSink,
    readonly kind: SectionKind,
    /** e.g. "[vrrp_instance VI_1]", for messages. */
    readonly label: string,
    /** The section header's position, for "missing directive" reports. */
    private readonly header: { readonly line: number; readonly column: number },
    entries: readonly ScannedEntry[],
  ) {
    const table = DIRECTIVES[kind];
    for (const e of entries) {
      const key = kind === 'global' ? (GLOBAL_ALIASES[e.key] ?? e.key) : e.key;
      const shape: DirectiveShape | undefined = Object.hasOwn(table, key) ? table[key] : undefined;
      if (shape === undefined) {
        sink.report('E-UNKNOWN-DIRECTIVE', unknownDirectiveMessage(e.key, kind, label), e.line, e.keyColumn);
        continue;
      }
      if (e.isArray && shape !== 'list') {
        sink.report('E-NOT-A-LIST', `${key} takes one value; write "${key} = ..." without []`, e.line, e.keyColumn);
        continue;
      }
      const list = this.byKey.get(key) ?? [];
      if (shape !== 'list' && list.length > 0) {
        const prev = list[list.length - 1];
        sink.report('W-DUPLICATE-KEY', `${key} is set again; the value from line ${prev?.line} is replaced`, e.line, e.keyColumn);
      }
      list.push(e);
      this.byKey.set(key, list);
    }
  }

  ref(entry: ScannedEntry): SourceRef {
    return { file: this.sink.file, line: entry.line };
  }

  report(code: VrrpDiagnosticCode, message: string, entry: ScannedEntry, at: 'key' | 'value' = 'value'): void {
    this.sink.report(code, message, entry.line, at === 'key' ? entry.keyColumn : entry.valueColumn);
  }

  reportAtHeader(code: VrrpDiagnosticCode, message: string): void {
    this.sink.report(code, message, this.header.line, this.header.column);
  }

  /** The last `key = v` entry (the one ini keeps). */
  entry(key: string): ScannedEntry | undefined {
    const l = this.byKey.get(key);
    return l?.[l.length - 1];
  }

  entries(key: string): readonly ScannedEntry[] {
    return this.byKey.get(key) ?? [];
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  private present(e: ScannedEntry, key: string): boolean {
    if (e.bare || e.value.trim() === '') {
      this.report('E-MISSING-VALUE', `${key} needs a value (a value that starts with ";" or "#" must be quoted: ${key} = "#...")`, e, 'key');
      return false;
    }
    return true;
  }

  /** Values of a list directive, empty ones reported. */
  texts(key: string): Located<string>[] {
    return this.entries(key).filter((e) => this.present(e, key)).map((e) => ({ value: e.value.trim(), entry: e }));
  }

  text(key: string): Located<string> | undefined {
    const e = this.entry(key);
    if (!e || !this.present(e, key)) return undefined;
    return { value: e.value.trim(), entry: e };
  }

  parsed<T>(key: string, parse: (v: string) => Parsed<T>): Located<T> | undefined {
    const t = this.text(key);
    if (!t) return undefined;
    const p = parse(t.value);
    if (isValueError(p)) {
      this.report(p.error, `${key}: ${p.message}`, t.entry);
      return undefined;
    }
    return { value: p.ok, entry: t.entry };
  }

  /** A whole number in [min, max]; undefined (reported) when absent-but-invalid. */
  integer(key: string, min: number, max: number, rangeCode: VrrpDiagnosticCode = 'E-RANGE'): Located<number> | undefined {
    return this.inRange(this.parsed(key, parseInteger), key, min, max, rangeCode);
  }

  number(key: string, min: number, max: number): Located<number> | undefined {
    return this.inRange(this.parsed(key, parseNumber), key, min, max, 'E-RANGE');
  }

  private inRange(n: Located<number> | undefined, key: string, min: number, max: number, code: VrrpDiagnosticCode): Located<number> | undefined {
    if (n && (n.value < min || n.value > max)) {
      this.report(code, `${key} ${n.value} is outside ${min}..${max}`, n.entry);
      return undefined;
    }
    return n;
  }

  /** yes/no; a bare `nopreempt` line means yes (keepalived's keyword form). */
  flag(key: string): Located<boolean> | undefined {
    const e = this.entry(key);
    if (!e) return undefined;
    if (e.bare) return { value: true, entry: e };
    return this.parsed(key, parseBoolean);
  }

  /**
   * One of `words`; returns the canonical spelling. `exact`: keepalived compares these
   * words case-sensitively (it reads `state master` as BACKUP), so haldir refuses other cases.
   */
  oneOf<W extends string>(key: string, words: readonly W[], exact = false): Located<W> | undefined {
    const t = this.text(key);
    if (!t) return undefined;
    const w = words.find((x) => (exact ? x === t.value : x.toLowerCase() === t.value.toLowerCase()));
    if (w === undefined) {
      const caseHint = exact && words.some((x) => x.toLowerCase() === t.value.toLowerCase()) ? ' (upper case: keepalived compares it exactly)' : '';
      this.report('E-BAD-ENUM', `${key} must be one of ${words.join(', ')}, got "${t.value}"${caseHint}`, t.entry);
      return undefined;
    }
    return { value: w, entry: t.entry };
  }
}
