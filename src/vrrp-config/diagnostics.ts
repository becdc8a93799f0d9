// Every diagnostic code the vrrp.cf engine emits, with the one-line meaning the docs
// and `haldir-vrrp configtest --codes` show. Codes are stable: scripts grep for them.

import type { Diagnostic, Severity } from '../config/model.js';

// One rendering for both configs: `file:line:col: error[CODE]: message`.
export { formatDiagnostic } from '../config/diagnostics.js';

export const VRRP_DIAGNOSTIC_CODES = {
  // file and ini structure
  'E-FILE': 'the config file cannot be read',
  'E-SYNTAX': 'a line ini ignores (starts with "=")',
  'E-SECTION-SYNTAX': 'a section header with text after "]" (ini then reads it as a key)',
  'E-SECTION-NAME': 'a section without a name, or with "." (ini nests) or spaces in the name',
  'E-UNKNOWN-SECTION': 'a section other than global, vrrp_instance, vrrp_script, vrrp_sync_group',
  'E-DUPLICATE-SECTION': 'the same section twice (ini silently merges them)',
  'E-OUTSIDE-SECTION': 'a directive before the first section header',
  'E-KEEPALIVED-SYNTAX': 'keepalived.conf brace syntax in vrrp.cf (use import-keepalived)',
  'E-UNKNOWN-DIRECTIVE': 'a directive the section does not know',
  'E-NOT-A-LIST': 'key[] = value for a directive that takes one value',
  'E-MISSING-VALUE': 'a directive without a value',
  'E-MISSING-DIRECTIVE': 'a required directive is absent',
  // values
  'E-BAD-INTEGER': 'not a whole number',
  'E-BAD-NUMBER': 'not a number',
  'E-BAD-BOOLEAN': 'not yes/no',
  'E-BAD-ENUM': 'not one of the allowed words',
  'E-BAD-ADDRESS': 'not a numeric IPv4/IPv6 address',
  'E-BAD-VIP': 'not addr[/prefix] [dev X] [label X] [scope S] [brd B]',
  'E-BAD-HOSTPORT': 'not host[:port]',
  'E-BAD-EMAIL': 'not an e-mail address',
  'E-BAD-COMMAND': 'an empty command or an unterminated quote',
  'E-BAD-TRACK': 'not NAME [weight N]',
  'E-STATUS-SECRET': 'status_secret shorter than 16 characters',
  'E-RANGE': 'a number outside the directive\'s range',
  'E-PRIORITY-RANGE': 'priority outside 1..255',
  'E-VRID-RANGE': 'virtual_router_id outside 1..255',
  // consistency
  'E-V2-SUBSECOND': 'VRRPv2 with a fractional advert_int (v2 carries whole seconds)',
  'E-V2-IPV6': 'VRRPv2 with an IPv6 virtual address (IPv6 needs version 3)',
  'E-MIXED-FAMILY': 'IPv4 and IPv6 virtual addresses in one instance',
  'E-UNICAST-FAMILY': 'unicast_src_ip / unicast_peer of another family than the VIPs',
  'E-DUPLICATE-VRID': 'two instances with the same virtual_router_id on one interface and family',
  'E-AUTH-INCOMPLETE': 'auth_type without auth_pass or auth_pass without auth_type',
  'E-UNDEFINED-SCRIPT': 'track_script names no [vrrp_script NAME] section',
  'E-UNKNOWN-INSTANCE': 'a sync group names no [vrrp_instance NAME] section',
  'E-INSTANCE-IN-TWO-GROUPS': 'an instance listed in two sync groups',
  'E-NO-INSTANCES': 'no [vrrp_instance NAME] section at all',
  // warnings
  'W-INLINE-COMMENT': 'an unquoted ";" or "#" inside a value: ini cuts the value there',
  'W-PARTIAL-QUOTE': 'a quoted value followed by a comment: ini keeps the quotes (and cuts at a ";"/"#" inside them)',
  'W-DUPLICATE-KEY': 'a one-value directive given twice (the last one wins)',
  'W-AUTH-PASS-TRUNCATED': 'auth_pass longer than 8 characters (only the first 8 are used)',
  'W-AUTH-V3-IGNORED': 'authentication with version 3 (VRRPv3 has none; ignored)',
  'W-NOPREEMPT-MASTER': 'nopreempt with state MASTER: ignored, as keepalived does (nopreempt needs state BACKUP)',
  'W-PREEMPT-DELAY-IGNORED': 'preempt_delay with nopreempt or on an instance starting MASTER: ignored, as keepalived does',
  'W-SYNC-GROUP-WEIGHT': 'a weighted track on a sync group member: keepalived drops such a track_script and zeroes such a track_interface weight; so does haldir',
  'W-OWNER-WEIGHT': 'a weighted track_script or track_interface on an address owner (priority 255): dropped, as keepalived does',
  'W-SYNC-GROUP-STATE': 'state MASTER on a sync group member: the group starts BACKUP unless every member is MASTER with priority 255, as in keepalived',
  'W-STATUS-LISTEN-WILDCARD': 'status_listen on 0.0.0.0 or :: (every address of the host, the VIPs included)',
  'W-STATUS-NO-SECRET': 'peer or status_listen without status_secret: the peer\'s status is never evidence',
  'W-NO-VIPS': 'an instance without virtual_ipaddress',
  'W-UNUSED-SCRIPT': 'a vrrp_script no instance tracks',
  'W-SECRET-READABLE': 'auth_pass, smtppasswd or status_secret in a file every local user can read (chmod 600 it)',
  'W-SMTPAUTH-CLEARTEXT': 'smtpuser without smtptls to an SMTP server on another host: the password crosses the network in clear text',
} as const;

export type VrrpDiagnosticCode = keyof typeof VRRP_DIAGNOSTIC_CODES;

export function severityOf(code: VrrpDiagnosticCode): Severity {
  return code.startsWith('W-') ? 'warning' : 'error';
}

/** Collects diagnostics for one file; the parser reports everything in one pass. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  constructor(readonly file: string) {}

  report(code: VrrpDiagnosticCode, message: string, line: number, column = 1): void {
    this.items.push({ severity: severityOf(code), code, message, file: this.file, line, column });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** File order, then column: the order an operator reads them in. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.line - b.line || a.column - b.column);
}
