// A config file that holds a secret (ldirectord.cf: passwd, secret, smtppasswd;
// vrrp.cf: auth_pass, smtppasswd) must not be readable by every local user. Both
// configtest and the daemons' start report it, for both files. ldirectord and
// keepalived say nothing; Debian installs /etc/ha.d/ldirectord.cf world-readable.
// SMTP AUTH in clear text to another host is reported alongside (same audience, same time).
import { statSync } from 'node:fs';
import type { Diagnostic, GlobalConfig, SmtpServer } from './model.js';
import { smtpCleartextAuthWarning } from '../alerts/config-warnings.js';

/** Where a directive is set to a non-empty value: its first such line. */
export interface DirectivePlace {
  readonly directive: string;
  readonly line: number;
}

/**
 * The lines setting one of `directives` to a non-empty value (`key = value`, `key="v"`,
 * ini's `key = value`), first per directive, in file order. Comments (# or ;) are not
 * settings. A lexical scan, so a file with errors is checked too.
 */
export function directiveLines(text: string, directives: readonly string[]): DirectivePlace[] {
  const found = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^[ \t]*([A-Za-z_]+)[ \t]*=[ \t]*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    if (!directives.includes(key) || found.has(key)) continue;
    const value = m[2]!.trim().replace(/^"(.*)"$/, '$1');
    if (value !== '') found.set(key, i + 1);
  }
  return [...found].map(([directive, line]) => ({ directive, line })).sort((a, b) => a.line - b.line);
}

/** W-SECRET-READABLE when `mode` lets other users read a file holding secrets. Pure. */
export function readableSecretWarning(file: string, mode: number, secrets: readonly DirectivePlace[]): Diagnostic | undefined {
  const first = secrets[0];
  if (!first || (mode & 0o004) === 0) return undefined;
  const perms = (mode & 0o777).toString(8).padStart(4, '0');
  const where = secrets.map((s) => `${s.directive} at line ${s.line}`).join(', ');
  return {
    severity: 'warning',
    code: 'W-SECRET-READABLE',
    message: `${file} holds secrets (${where}) but every local user can read it (mode ${perms}); run: chmod 600 ${file}`,
    file,
    line: first.line,
    column: 1,
  };
}

/** What both config engines know after parsing, for configSecurityWarnings. */
export interface SecurityFacts {
  readonly file: string;
  readonly text: string;
  /** The directives whose values are secrets in this kind of file. */
  readonly secretDirectives: readonly string[];
  /** st_mode of the file; undefined when unknown (text not from a file). */
  readonly mode: number | undefined;
  /** The SMTP AUTH settings and every server alerts may go to; undefined when the config has errors. */
  readonly smtp: { readonly global: Pick<GlobalConfig, 'smtpuser' | 'smtptls'>; readonly servers: readonly (SmtpServer | undefined)[] } | undefined;
}

/** W-SECRET-READABLE and W-SMTPAUTH-CLEARTEXT, as configtest and start report them. Pure. */
export function configSecurityWarnings(f: SecurityFacts): Diagnostic[] {
  const out: Diagnostic[] = [];
  const readable = f.mode === undefined ? undefined : readableSecretWarning(f.file, f.mode, directiveLines(f.text, f.secretDirectives));
  if (readable) out.push(readable);
  const clear = f.smtp ? smtpCleartextAuthWarning(f.smtp.global, f.smtp.servers) : undefined;
  if (clear) {
    const line = directiveLines(f.text, ['smtpuser'])[0]?.line ?? 0;
    out.push({ severity: 'warning', code: clear.code, message: clear.message, file: f.file, line, column: 1 });
  }
  return out;
}

/** st_mode of a file, or undefined when it cannot be stat'ed (the reader reports that). */
export function fileModeOf(path: string): number | undefined {
  try {
    return statSync(path).mode;
  } catch {
    return undefined;
  }
}
