// vrrp.cf structure: which ini sections are there, what kind each is, and the structural
// mistakes (keepalived braces, text after "]", repeated or misnamed sections) ini hides.

import { didYouMean } from '../config/diagnostics.js';
import type { DiagnosticSink } from './diagnostics.js';
import { SECTION_KINDS, type SectionKind } from './directives.js';
import type { IniScan, ScannedEntry, ScannedSection } from './ini-scan.js';

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_:@+-]*$/;

export interface NamedSection {
  readonly kind: SectionKind;
  readonly name: string;
  readonly header: ScannedSection;
  readonly entries: ScannedEntry[];
}

export function looksLikeKeepalived(e: ScannedEntry): boolean {
  return e.key.includes('{') || e.key.includes('}') || (e.bare && /^\w+\s+\S+/.test(e.key));
}

/** Split headers into typed sections, reporting bad, unknown and repeated ones. */
export function collectSections(scan: IniScan, sink: DiagnosticSink): NamedSection[] {
  const out = new Map<string, NamedSection>();
  for (const e of scan.topLevel.entries) {
    if (looksLikeKeepalived(e)) continue;
    sink.report('E-OUTSIDE-SECTION', `"${e.key}" is outside any section; put it under [global] or [vrrp_instance NAME]`, e.line, e.keyColumn);
  }
  for (const s of scan.sections) {
    const [kindWord = '', ...rest] = s.name.trim().split(/\s+/);
    const name = rest.join(' ');
    const kind = SECTION_KINDS.find((k) => k === kindWord);
    if (kind === undefined) {
      const guess = didYouMean(kindWord, SECTION_KINDS);
      sink.report('E-UNKNOWN-SECTION', `unknown section [${s.name}]; sections are [global], [vrrp_instance NAME], [vrrp_script NAME], [vrrp_sync_group NAME]${guess ? `; did you mean [${guess}${name ? ' ' + name : ''}]?` : ''}`, s.line, s.column);
      continue;
    }
    if (s.name.includes('.')) {
      sink.report('E-SECTION-NAME', `"." in [${s.name}]: ini reads it as a nested section; use "_" instead`, s.line, s.column);
      continue;
    }
    if (kind === 'global' ? name !== '' : !NAME_RE.test(name)) {
      sink.report('E-SECTION-NAME', kind === 'global'
        ? `[global] takes no name, got [${s.name}]`
        : `[${kind}] needs one name of letters, digits, "_", "-", ":" (e.g. [${kind} ${kind === 'vrrp_script' ? 'check_web' : kind === 'vrrp_sync_group' ? 'VG_1' : 'VI_1'}]), got [${s.name}]`, s.line, s.column);
      continue;
    }
    const prev = out.get(s.name);
    if (prev) {
      // ini merges repeated sections silently; keepalived rejects a repeated instance name.
      sink.report('E-DUPLICATE-SECTION', `[${s.name}] already starts at line ${prev.header.line}; ini would merge the two`, s.line, s.column);
      prev.entries.push(...s.entries);
      continue;
    }
    out.set(s.name, { kind, name, header: s, entries: [...s.entries] });
  }
  return [...out.values()];
}

export function reportScanNotes(scan: IniScan, sink: DiagnosticSink): void {
  for (const n of scan.notes) {
    if (n.kind === 'ignored-line') {
      sink.report('E-SYNTAX', 'ini ignores a line starting with "="; write key = value', n.line, n.column);
    } else if (n.kind === 'inline-comment') {
      sink.report('W-INLINE-COMMENT', `ini reads this value as "${n.kept}" and drops "${n.dropped}" as a comment; quote the whole value ("...") to keep ";" or "#"`, n.line, n.column);
    } else {
      sink.report('W-PARTIAL-QUOTE', 'ini only unquotes a value quoted as a whole; with text after the closing quote (a comment too) the quotes stay in the value', n.line, n.column);
    }
  }
  for (const s of [scan.topLevel, ...scan.sections]) {
    for (const e of s.entries) {
      if (looksLikeKeepalived(e)) {
        sink.report('E-KEEPALIVED-SYNTAX', `"${e.key}${e.bare ? '' : ' = ...'}" is keepalived.conf syntax; vrrp.cf is ini (key = value). Convert with: haldir-vrrp import-keepalived keepalived.conf`, e.line, e.keyColumn);
      } else if (e.key.startsWith('[')) {
        sink.report('E-SECTION-SYNTAX', `ini reads "${e.key}" as a key, not a section: nothing (not even a comment) may follow "]" on a section line`, e.line, e.keyColumn);
      }
    }
  }
}

export function dropStructuralNoise(entries: readonly ScannedEntry[]): ScannedEntry[] {
  // Already reported by reportScanNotes; do not report them again as unknown directives.
  return entries.filter((e) => !looksLikeKeepalived(e) && !e.key.startsWith('['));
}
