// A line-by-line scan of an ini file that reads every line exactly as the `ini`
// package's decode() does (same regex, same unsafe() unquoting, ini 6/7), but keeps
// line and column numbers, which ini.parse drops. The vrrp.cf parser builds its model
// from this scan, so what haldir reads is what ini reads (a property test checks that
// grouping these entries reproduces ini.parse), and every diagnostic has a position.

import ini from 'ini';

export interface ScannedEntry {
  /** Key as ini decodes it, without a trailing `[]`. */
  readonly key: string;
  /** `key[] = v` (ini's bracketed array). */
  readonly isArray: boolean;
  /** The value as ini decodes it ('' for a bare key). */
  readonly value: string;
  /** A key with no `=` at all (ini's value `true`). */
  readonly bare: boolean;
  readonly line: number;
  readonly keyColumn: number;
  readonly valueColumn: number;
}

export interface ScannedSection {
  /** Section name as ini decodes it ('' for entries before any header). */
  readonly name: string;
  readonly line: number;
  readonly column: number;
  readonly entries: ScannedEntry[];
}

/** Something in a line an operator should hear about; the parser turns it into a diagnostic. */
export interface ScanNote {
  readonly kind: 'ignored-line' | 'inline-comment' | 'partial-quote';
  readonly line: number;
  readonly column: number;
  /** inline-comment: the value ini keeps and the text it drops. */
  readonly kept?: string;
  readonly dropped?: string;
}

export interface IniScan {
  /** Entries before the first header (ini puts them at the top level). */
  readonly topLevel: ScannedSection;
  /** One element per header line, in file order (repeats included). */
  readonly sections: readonly ScannedSection[];
  readonly notes: readonly ScanNote[];
}

// ini's decode(): section | key [= value]
const LINE_RE = /^\[([^\]]*)\]\s*$|^([^=]+)(=(.*))?$/i;

function isQuoted(v: string): boolean {
  return (v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"));
}

/** Index of the first unescaped ';' or '#' (where ini's unsafe() stops), or -1. */
export function inlineCommentIndex(value: string): number {
  let esc = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    if (esc) esc = false;
    else if (c === '\\') esc = true;
    else if (c === ';' || c === '#') return i;
  }
  return -1;
}

function leadingSpaces(s: string): number {
  return s.length - s.trimStart().length;
}

function valueNotes(rawValue: string, line: number, column: number): ScanNote[] {
  const v = rawValue.trim();
  if (v === '' || isQuoted(v)) return [];
  const notes: ScanNote[] = [];
  const at = inlineCommentIndex(v);
  // `"a b" c` is fine for a command line; with a comment after it ini keeps the quotes.
  if ((v.startsWith('"') || v.startsWith("'")) && at >= 0) {
    notes.push({ kind: 'partial-quote', line, column });
  }
  // `state = MASTER   ; initial state` is a comment on purpose; `ab#cd` is a value ini cuts.
  if (at > 0 && !/\s/.test(v.charAt(at - 1))) {
    notes.push({ kind: 'inline-comment', line, column: column + at, kept: ini.unsafe(v), dropped: v.slice(at) });
  }
  return notes;
}

export function scanIni(text: string): IniScan {
  const lines = text.split(/\r\n|\r|\n/);
  const topLevel: ScannedSection = { name: '', line: 0, column: 1, entries: [] };
  const sections: ScannedSection[] = [];
  const notes: ScanNote[] = [];
  let current = topLevel;
  lines.forEach((text, i) => {
    const line = i + 1;
    if (!text || /^\s*[;#]/.test(text) || /^\s*$/.test(text)) return;
    const m = LINE_RE.exec(text);
    if (!m) {
      notes.push({ kind: 'ignored-line', line, column: 1 + leadingSpaces(text) });
      return;
    }
    if (m[1] !== undefined) {
      current = { name: ini.unsafe(m[1]), line, column: 1 + leadingSpaces(text), entries: [] };
      sections.push(current);
      return;
    }
    const keyPart = m[2] ?? '';
    const keyRaw = ini.unsafe(keyPart);
    const isArray = keyRaw.length > 2 && keyRaw.endsWith('[]');
    const key = isArray ? keyRaw.slice(0, -2) : keyRaw;
    const keyColumn = 1 + leadingSpaces(keyPart);
    const bare = m[3] === undefined;
    const rawValue = m[4] ?? '';
    const valueColumn = keyPart.length + 2 + leadingSpaces(rawValue);
    if (!bare) notes.push(...valueNotes(rawValue, line, valueColumn));
    current.entries.push({ key, isArray, value: bare ? '' : ini.unsafe(rawValue), bare, line, keyColumn, valueColumn });
  });
  return { topLevel, sections, notes };
}
