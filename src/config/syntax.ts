// The regular expressions of ldirectord's read_config (L1316-1830), ported one by one.
// ldirectord reads the file as bytes, so Perl's \s is [ \t\n\r\f\v] and `.` is "not \n";
// JS's \s also matches Unicode spaces (and bytes of UTF-8 text decoded as such) and its
// `.` stops at \r, so these use explicit classes and the `s` flag on single lines.

/** Perl's \s on a byte string. */
export const WS = '[ \\t\\n\\r\\f\\v]';
/** Perl's \S on a byte string. */
export const NWS = '[^ \\t\\n\\r\\f\\v]';

export function perlRe(src: string): RegExp {
  return new RegExp(src.replaceAll('\\s', WS).replaceAll('\\S', NWS), 's');
}

/** `^key\s*=\s*(.*)`: how every directive is recognised (prefix match, value to end of line). */
export function keyRe(key: string): RegExp {
  return perlRe(`^${key}\\s*=\\s*(.*)`);
}
/** `^key\s*=\s*\"(.*)\"`: the quoted directives (greedy: up to the last quote). */
export function quotedKeyRe(key: string): RegExp {
  return perlRe(`^${key}\\s*=\\s*"(.*)"`);
}

export const VIRTUAL_LINE = perlRe('^virtual(6)?\\s*=\\s*(.*)');
export const V4_IP_PORT = /^(\d+\.\d+\.\d+\.\d+):([0-9A-Za-z_-]+)/;
export const HOST_PORT = /^([0-9A-Za-z._+-]+):([0-9A-Za-z_-]+)/;
export const FWMARK = /^(\d+)/;
export const V6_IP_PORT = /^\[([0-9A-Fa-f:]+)\]:([0-9A-Za-z_-]+)/;
export const BLANK = perlRe('^\\s*$');
export const COMMENT = perlRe('^\\s*#');

/** _ld_read_config_real_resolve's real= pattern (unanchored, as in ldirectord; note A-f). */
export const REAL_SPEC = perlRe(
  '(\\d+\\.\\d+\\.\\d+\\.\\d+|[A-Za-z0-9.-]+|\\[[0-9A-fa-f:]+\\])(->(\\d+\\.\\d+\\.\\d+\\.\\d+|[A-Za-z0-9.-]+|\\[[0-9A-fa-f:]+\\]))?(:(\\d+|[A-Za-z0-9_-]+))?\\s+(.*)',
);
/** add_real_server's successive flag patterns. */
export const REAL_FORWARD = perlRe('(\\w+)(.*)');
export const REAL_WEIGHT = perlRe('\\s+(\\d+)(.*)');
export const REAL_REQUEST = perlRe('\\s+"(.*)"[, ]\\s*"(.*)"(.*)');
export const REAL_LOWER = perlRe('\\s+l:(\\d+)(.*)');
export const REAL_UPPER = perlRe('\\s+u:(\\d+)(.*)');

/** parse_fallback: "ip:port" and an optional forwarding method at the end. */
export const FALLBACK_SPLIT = perlRe('(\\S+)(\\s+(\\S+))?\\s*$');
/** parse_fallback / ld_gethostservbyname: optional `:port` suffix. */
export const PORT_SUFFIX = /(:(\d+|[A-Za-z0-9_-]+))?$/;

/** The negotiate services and their default ports (ld_port_to_service / ld_service_to_port). */
export const SERVICE_PORTS: ReadonlyArray<readonly [string, number]> = [
  ['ftp', 21],
  ['smtp', 25],
  ['dns', 53],
  ['http', 80],
  ['pop', 110],
  ['nntp', 119],
  ['imap', 143],
  ['ldap', 389],
  ['https', 443],
  ['submission', 587],
  ['ldaps', 636],
  ['imaps', 993],
  ['pops', 995],
  ['oracle', 1521],
  ['radius', 1812],
  ['http_proxy', 3128],
  ['mysql', 3306],
  ['sip', 5060],
  ['pgsql', 5432],
];

/** ld_port_to_service: compares the port *string* (`eq`), so "080" is not http. */
export function portToService(portText: string): string {
  for (const [s, p] of SERVICE_PORTS) if (portText === String(p)) return s;
  return 'none';
}

export function serviceToPort(service: string): number | undefined {
  for (const [s, p] of SERVICE_PORTS) if (s === service) return p;
  return undefined;
}

export const GLOBAL_DIRECTIVES = [
  'autoreload', 'callback', 'checkcount', 'checkinterval', 'checktimeout', 'cleanstop',
  'emailalert', 'emailalertfreq', 'emailalertstatus', 'emailalertfrom', 'execute',
  'failurecount', 'fallback', 'fallback6', 'fallbackcommand', 'fork', 'logfile',
  'maintenancedir', 'negotiatetimeout', 'quiescent', 'readdquiescent', 'smtp', 'supervised',
  'virtual', 'virtual6', 'smtpuser', 'smtppasswd', 'smtptls',
] as const;

export const VIRTUAL_DIRECTIVES = [
  'real', 'real6', 'request', 'receive', 'checktype', 'checkcommand', 'checktimeout',
  'negotiatetimeout', 'checkcount', 'failurecount', 'checkinterval', 'checkport', 'login',
  'passwd', 'database', 'secret', 'load', 'scheduler', 'persistent', 'schedflags', 'netmask',
  'protocol', 'ops', 'service', 'httpmethod', 'virtualhost', 'fallback', 'fallback6',
  'fallbackcommand', 'quiescent', 'emailalert', 'emailalertfreq', 'emailalertstatus',
  'monitorfile', 'cleanstop', 'smtp', 'servicename', 'comment',
] as const;

/** Syslog facilities ldirectord's logfile may name instead of a path. */
export const SYSLOG_FACILITIES = [
  'auth', 'authpriv', 'cron', 'daemon', 'ftp', 'kern', 'lpr', 'mail', 'news', 'syslog', 'user',
  'uucp', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];
