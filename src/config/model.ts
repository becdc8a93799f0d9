// The typed model of an ldirectord.cf, as every later part of haldir consumes it.
// Values are the *effective* ones: ldirectord's defaults and its global -> virtual
// inheritance (ld_setup, L2292) are already applied, so consumers never re-derive them.

export type AddressFamily = 'inet' | 'inet6';
export type VirtualProtocol = 'tcp' | 'udp' | 'fwm';
export type ForwardMethod = 'gate' | 'masq' | 'ipip';
export type HttpMethod = 'GET' | 'HEAD';

/** ldirectord's negotiate services (read_config, "service must be ..."). */
export const SERVICE_NAMES = [
  'dns', 'ftp', 'http', 'https', 'http_proxy', 'imap', 'imaps', 'ldap', 'ldaps', 'nntp',
  'mysql', 'none', 'oracle', 'pop', 'pops', 'radius', 'pgsql', 'sip', 'smtp', 'submission',
  'simpletcp',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The check a virtual runs on each of its reals (ldirectord `checktype`). */
export type CheckType =
  | { readonly kind: 'connect' }
  | { readonly kind: 'negotiate' }
  /** `checktype=N`: N connect checks per negotiate check. */
  | { readonly kind: 'combined'; readonly numConnects: number }
  | { readonly kind: 'ping' }
  | { readonly kind: 'external'; readonly command: string }
  | { readonly kind: 'external-perl'; readonly command: string }
  | { readonly kind: 'on' }
  | { readonly kind: 'off' };
export type CheckKind = CheckType['kind'];

/** Daemon states an e-mail alert may be sent in (emailalertstatus). */
export type DaemonStatus = 'starting' | 'running' | 'stopping' | 'reloading';

/** Where a model element came from, for diagnostics and reload messages. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

export interface RealServer {
  /** Resolved numeric address; IPv6 without brackets. */
  readonly address: string;
  /** 0 when the config gave none (meant for fwmark virtuals). */
  readonly port: number;
  readonly forward: ForwardMethod;
  readonly weight: number;
  /** Effective request: the real's own `"req", "recv"` pair, else the virtual's. */
  readonly request: string;
  /** Effective receive (a Perl regex in ldirectord syntax; '' = match anything). */
  readonly receive: string;
  /** True when request/receive came from the real= line itself. */
  readonly ownRequest: boolean;
  /** `l:N`, ipvsadm -y (lower connection threshold); 0 = none. */
  readonly lowerThreshold: number;
  /** `u:N`, ipvsadm -x (upper connection threshold); 0 = none. */
  readonly upperThreshold: number;
  /** Port the check connects to (ld_checkport: checkport, else real port, else service port). */
  readonly checkPort: number | undefined;
  readonly source: SourceRef;
}

export interface FallbackServer {
  readonly address: string;
  /** undefined: take the virtual's port (global fallback without a port). */
  readonly port: number | undefined;
  readonly forward: ForwardMethod;
  readonly source: SourceRef;
}

export interface VirtualService {
  /** ldirectord's virtual id (get_virtual_id_str): "tcp:10.0.0.1:80", "udp:[::1]:53", "fwm:5", "fwm6:5". */
  readonly id: string;
  readonly family: AddressFamily;
  readonly protocol: VirtualProtocol;
  /** Resolved numeric address (IPv6 without brackets); undefined for fwmark virtuals. */
  readonly address: string | undefined;
  /** 0 for fwmark virtuals. */
  readonly port: number;
  readonly fwmark: number | undefined;

  readonly scheduler: string;
  readonly persistent: number | undefined;
  readonly netmask: string | undefined;
  readonly schedflags: string | undefined;
  /** One-packet scheduling (-o); ldirectord only applies it to udp virtuals. */
  readonly ops: boolean;

  readonly service: ServiceName;
  readonly check: CheckType;
  readonly checkport: number | undefined;
  readonly request: string;
  readonly receive: string;
  readonly httpmethod: HttpMethod;
  readonly virtualhost: string | undefined;
  readonly login: string;
  readonly passwd: string;
  readonly database: string;
  readonly secret: string;

  /** Seconds; resolved through ldirectord's chain (section 3 of the compat spec). */
  readonly checktimeout: number;
  readonly negotiatetimeout: number;
  readonly checkcount: number;
  readonly failurecount: number;
  /** Seconds between checks of this virtual (its own checkinterval, else the global one). */
  readonly checkinterval: number;

  readonly quiescent: boolean;
  readonly fallback: FallbackServer | undefined;
  readonly fallbackcommand: string | undefined;
  readonly emailalert: readonly string[];
  readonly emailalertfreq: number;
  readonly emailalertstatus: readonly DaemonStatus[];
  readonly monitorfile: string | undefined;
  readonly cleanstop: boolean;
  readonly smtp: SmtpServer | undefined;
  readonly servicename: string | undefined;
  readonly comment: string | undefined;

  readonly reals: readonly RealServer[];
  readonly source: SourceRef;
}

export interface SmtpServer {
  readonly host: string;
  readonly port: number;
}

/** haldir extension: how alerts reach the SMTP server (ldirectord: plain SMTP only). */
export type SmtpTls = 'none' | 'starttls' | 'tls';

export interface GlobalConfig {
  readonly autoreload: boolean;
  readonly callback: string | undefined;
  readonly checkcount: number;
  readonly checkinterval: number;
  /** As written; undefined when not set (the per-virtual chain decides). */
  readonly checktimeout: number | undefined;
  readonly negotiatetimeout: number | undefined;
  readonly cleanstop: boolean;
  readonly emailalert: readonly string[];
  readonly emailalertfreq: number;
  readonly emailalertstatus: readonly DaemonStatus[];
  readonly emailalertfrom: string | undefined;
  /** `execute = other.cf`: companion instances to start and stop with this one. */
  readonly execute: readonly string[];
  readonly failurecount: number;
  readonly fallback: FallbackServer | undefined;
  readonly fallback6: FallbackServer | undefined;
  readonly fallbackcommand: string | undefined;
  readonly fork: boolean;
  /** A path (starts with '/') or a syslog facility such as "local0". */
  readonly logfile: string;
  readonly maintenancedir: string | undefined;
  readonly quiescent: boolean;
  readonly readdquiescent: boolean;
  readonly smtp: SmtpServer | undefined;
  readonly supervised: boolean;
  // haldir extensions (documented as such in the README)
  readonly smtpuser: string | undefined;
  readonly smtppasswd: string | undefined;
  readonly smtptls: SmtpTls;
}

export interface Config {
  readonly file: string;
  readonly global: GlobalConfig;
  readonly virtuals: readonly VirtualService[];
}

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable code, e.g. "E-UNKNOWN-DIRECTIVE"; documented in the README. */
  readonly code: string;
  readonly message: string;
  readonly file: string;
  /** 1-based; 0 when the diagnostic is about the file as a whole. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export interface ParseResult {
  /** Present when there are no errors (warnings allowed). */
  readonly config: Config | undefined;
  readonly diagnostics: readonly Diagnostic[];
}
