// The parser's intermediate form: what read_config stores in %vsrv and its globals,
// before ld_setup's inheritance turns it into the typed model (effective.ts).
import type { AddressFamily, DaemonStatus, ForwardMethod, SmtpServer, SmtpTls, VirtualProtocol } from './model.js';

export interface RawFallback {
  /** Numeric address (IPv6 without brackets) once resolved. */
  address: string;
  /** undefined: none given (global fallback: the virtual's port is used). */
  port: number | undefined;
  forward: ForwardMethod;
  line: number;
}

export interface RawReal {
  address: string;
  port: number;
  forward: ForwardMethod;
  weight: number;
  request: string | undefined;
  receive: string | undefined;
  lower: number;
  upper: number;
  line: number;
}

export interface RawVirtual {
  family: AddressFamily;
  line: number;
  /** Set when the virtual= line itself was bad: the section is still read for diagnostics. */
  broken: boolean;
  ipPort: string | undefined;
  fwmText: string | undefined;
  /** Port as written (ldirectord keeps the text: "http", "080"), "0" for fwmark. */
  portText: string;
  address: string | undefined;
  port: number;
  protocol: VirtualProtocol;
  checktype: string;
  numConnects: number;
  checkcommand: string;
  request: string;
  receive: string;
  login: string;
  passwd: string;
  database: string;
  secret: string;
  checktimeout: number;
  negotiatetimeout: number;
  checkcount: number;
  failurecount: number;
  checkinterval: number | undefined;
  checkintervalLine: number;
  checkport: number | undefined;
  scheduler: string;
  persistent: number | undefined;
  schedflags: string | undefined;
  /** Where schedflags was set, for the end-of-section check against the scheduler. */
  schedflagsAt: { line: number; column: number } | undefined;
  netmask: string | undefined;
  ops: boolean;
  service: string | undefined;
  httpmethod: 'GET' | 'HEAD';
  virtualhost: string | undefined;
  fallbackSpec: { text: string; line: number; column: number } | undefined;
  fallback: RawFallback | undefined;
  fallbackcommand: string | undefined;
  quiescent: boolean | undefined;
  emailalert: string | undefined;
  emailalertfreq: number | undefined;
  emailalertstatus: DaemonStatus[] | undefined;
  monitorfile: string | undefined;
  cleanstop: boolean | undefined;
  smtp: SmtpServer | undefined;
  servicename: string | undefined;
  comment: string | undefined;
  reals: RawReal[];
}

export interface RawGlobal {
  autoreload: boolean;
  callback: string | undefined;
  checkcount: number;
  checkinterval: number;
  checktimeout: number;
  negotiatetimeout: number;
  cleanstop: boolean;
  emailalert: string;
  emailalertfreq: number;
  emailalertstatus: DaemonStatus[];
  emailalertfrom: string | undefined;
  execute: string[];
  failurecount: number;
  /** Global fallbacks keep the tcp and udp resolutions (ldirectord's $FALLBACK->{tcp|udp}). */
  fallback: { tcp: RawFallback; udp: RawFallback } | undefined;
  fallback6: { tcp: RawFallback; udp: RawFallback } | undefined;
  fallbackcommand: string | undefined;
  fork: boolean;
  logfile: string;
  maintenancedir: string | undefined;
  quiescent: boolean;
  readdquiescent: boolean;
  smtp: SmtpServer | undefined;
  supervised: boolean;
  smtpuser: string | undefined;
  smtppasswd: string | undefined;
  smtptls: SmtpTls;
}

export function defaultGlobal(): RawGlobal {
  // set_defaults (L1276)
  return {
    autoreload: false,
    callback: undefined,
    checkcount: 1,
    checkinterval: 10,
    checktimeout: -1,
    negotiatetimeout: -1,
    cleanstop: true,
    emailalert: '',
    emailalertfreq: 0,
    emailalertstatus: ['starting', 'running', 'stopping', 'reloading'],
    emailalertfrom: undefined,
    execute: [],
    failurecount: 1,
    fallback: undefined,
    fallback6: undefined,
    fallbackcommand: undefined,
    fork: false,
    logfile: '/var/log/ldirectord.log',
    maintenancedir: undefined,
    quiescent: false,
    readdquiescent: false,
    smtp: undefined,
    supervised: false,
    smtpuser: undefined,
    smtppasswd: undefined,
    smtptls: 'none',
  };
}

export function newVirtual(family: AddressFamily, line: number): RawVirtual {
  // read_config's %vsrv defaults (L1380-1405)
  return {
    family,
    line,
    broken: false,
    ipPort: undefined,
    fwmText: undefined,
    portText: '0',
    address: undefined,
    port: 0,
    protocol: 'tcp',
    checktype: 'negotiate',
    numConnects: 0,
    checkcommand: '/bin/true',
    request: '/',
    receive: '',
    login: '',
    passwd: '',
    database: '',
    secret: '',
    checktimeout: -1,
    negotiatetimeout: -1,
    checkcount: -1,
    failurecount: -1,
    checkinterval: undefined,
    checkintervalLine: 0,
    checkport: undefined,
    scheduler: 'wrr',
    persistent: undefined,
    schedflags: undefined,
    schedflagsAt: undefined,
    netmask: undefined,
    ops: false,
    service: undefined,
    httpmethod: 'GET',
    virtualhost: undefined,
    fallbackSpec: undefined,
    fallback: undefined,
    fallbackcommand: undefined,
    quiescent: undefined,
    emailalert: undefined,
    emailalertfreq: undefined,
    emailalertstatus: undefined,
    monitorfile: undefined,
    cleanstop: undefined,
    smtp: undefined,
    servicename: undefined,
    comment: undefined,
    reals: [],
  };
}
