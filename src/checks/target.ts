// Turns (virtual, real) from the config model into what the check layer runs: the
// resolved check context, ldirectord's identity strings, and the dedupe key under which
// identical checks in different virtuals run once (_ld_main_check_all L2834).
import type { CheckType, RealServer, VirtualProtocol, VirtualService } from '../config/model.js';
import { compileReceive } from './receive.js';
import type { ServiceCheckContext } from './types.js';

/** One check to run, shared by every (virtual, real) pair with the same `key`. */
export interface CheckTarget {
  /** Dedupe identity: equal keys mean the same probe, run once per round. */
  readonly key: string;
  readonly check: CheckType;
  readonly protocol: VirtualProtocol;
  /** Negotiate context; ctx.timeoutMs is the negotiatetimeout. */
  readonly ctx: ServiceCheckContext;
  readonly checkTimeoutMs: number;
  readonly checkcount: number;
  /** ldirectord's `$$r{server}`: the real's address, IPv6 in brackets. */
  readonly server: string;
  readonly realPort: number;
  /** argv after checkcommand for external checks: VIP|FWMARK VPORT RIP RPORT (check_external L3486). */
  readonly externalArgs: readonly string[];
  /** Seconds between checks (the virtual's checkinterval). */
  readonly intervalMs: number;
}

/** One (virtual, real) pair fed by a target's result. */
export interface Subscriber {
  readonly virtualId: string;
  /** ldirectord's get_real_id_str (L5015), used for monitorfile lines. */
  readonly realIdStr: string;
  /** Tracker key: stable across reloads while the virtual and the probe are unchanged. */
  readonly healthKey: string;
  /** "IP:PORT" as ldirectord logs it (IPv6 bracketed). */
  readonly realLabel: string;
  readonly server: string;
  readonly port: number;
  readonly failurecount: number;
  readonly monitorfile: string | undefined;
}

/** ldirectord keeps IPv6 reals as "[addr]" (ld_gethostbyname L5284) and prints them so. */
export function ldServer(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** Perl quotemeta: backslash before every character that is not [A-Za-z0-9_]. */
export function quotemeta(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '\\$&');
}

function checkLabel(check: CheckType, service: string): string {
  switch (check.kind) {
    case 'negotiate':
    case 'combined':
      return `${check.kind}:${service}`;
    case 'external':
    case 'external-perl':
      return `${check.kind}:${check.command}`;
    default:
      return check.kind;
  }
}

/** get_real_id_str (L5015), byte for byte. */
export function realIdStr(v: VirtualService, r: RealServer): string {
  return [
    checkLabel(v.check, v.service),
    v.protocol,
    ldServer(r.address),
    String(r.port),
    v.virtualhost ?? '',
    v.checkport === undefined ? '' : String(v.checkport),
    String(r.weight),
    r.forward,
    quotemeta(r.request),
    quotemeta(r.receive),
  ].join(':');
}

/** Default port of a service (ld_service_to_port), for reals without a port. */
const SERVICE_PORTS: Readonly<Record<string, number>> = {
  dns: 53, ftp: 21, http: 80, https: 443, http_proxy: 3128, imap: 143, imaps: 993, ldap: 389,
  ldaps: 636, nntp: 119, mysql: 3306, oracle: 1521, pop: 110, pops: 995, radius: 1812, pgsql: 5432,
  sip: 5060, smtp: 25, submission: 587, simpletcp: 0, none: 0,
};

/** ld_checkport (L1927): checkport, else the real's port, else the service's port. */
export function checkPortOf(v: VirtualService, r: RealServer): number {
  if (r.checkPort !== undefined) return r.checkPort;
  if (v.checkport !== undefined) return v.checkport;
  if (r.port > 0) return r.port;
  return SERVICE_PORTS[v.service] ?? 0;
}

/**
 * The URL check_http fetches, built as ld_setup does (L2292): a real's own request
 * containing "SCHEMA://" is the whole URL; for http_proxy the virtual's request is the
 * (absolute) URL; otherwise SCHEMA://SERVER:CHECKPORT/REQUEST.
 */
export function httpUrlFor(v: VirtualService, r: RealServer): string {
  const schema = v.service === 'https' ? 'https' : 'http';
  const uri = r.request.replace(/^\//, '');
  const base = `${schema}://${ldServer(r.address)}:${checkPortOf(v, r)}/${uri}`;
  if (r.ownRequest) return r.request.includes(`${schema}://`) ? uri : base;
  return v.service === 'http_proxy' ? uri : base;
}

function isHttpService(service: string): boolean {
  return service === 'http' || service === 'https' || service === 'http_proxy';
}

export function buildTarget(v: VirtualService, r: RealServer, hostname: string): CheckTarget {
  const port = checkPortOf(v, r);
  const server = ldServer(r.address);
  const request = isHttpService(v.service) ? httpUrlFor(v, r) : r.request;
  const ctx: ServiceCheckContext = {
    service: v.service,
    family: v.family,
    host: r.address,
    port,
    virtualAddress: v.address,
    virtualPort: v.port,
    request,
    receive: compileReceive(r.receive),
    httpmethod: v.httpmethod,
    virtualhost: v.virtualhost,
    login: v.login,
    passwd: v.passwd,
    database: v.database,
    secret: v.secret,
    timeoutMs: v.negotiatetimeout * 1000,
    hostname,
    // sip/dns follow the virtual's protocol; ldap/radius also honour checktimeout
    protocol: v.protocol,
    checkTimeoutMs: v.checktimeout * 1000,
  };
  const virtualArg = v.protocol === 'fwm' ? String(v.fwmark ?? '') : ldServer(v.address ?? '');
  const key = JSON.stringify([
    checkLabel(v.check, v.service),
    v.check.kind === 'combined' ? v.check.numConnects : 0,
    v.protocol, v.family, server, r.port, port, v.virtualhost ?? '', request, r.receive,
    v.httpmethod, v.login, v.passwd, v.database, v.secret,
    v.checktimeout, v.negotiatetimeout, v.checkcount, v.checkinterval,
    // external checks see the virtual in their argv, so only share within one virtual
    v.check.kind === 'external' || v.check.kind === 'external-perl' ? v.id : '',
  ]);
  return {
    key,
    check: v.check,
    protocol: v.protocol,
    ctx,
    checkTimeoutMs: v.checktimeout * 1000,
    checkcount: Math.max(1, v.checkcount),
    server,
    realPort: r.port,
    externalArgs: [virtualArg, String(v.port), server, String(r.port)],
    intervalMs: v.checkinterval * 1000,
  };
}

export function buildSubscriber(v: VirtualService, r: RealServer, target: CheckTarget): Subscriber {
  const server = ldServer(r.address);
  return {
    virtualId: v.id,
    realIdStr: realIdStr(v, r),
    healthKey: `${v.id}|${target.key}`,
    realLabel: `${server}:${r.port}`,
    server,
    port: r.port,
    failurecount: Math.max(1, v.failurecount),
    monitorfile: v.monitorfile,
  };
}

/** Every check the config asks for, deduplicated; `off` virtuals are never touched (L2925). */
export function planChecks(
  virtuals: readonly VirtualService[],
  hostname: string,
): { target: CheckTarget; subscribers: Subscriber[] }[] {
  const byKey = new Map<string, { target: CheckTarget; subscribers: Subscriber[] }>();
  for (const v of virtuals) {
    if (v.check.kind === 'off') continue;
    for (const r of v.reals) {
      const target = buildTarget(v, r, hostname);
      let entry = byKey.get(target.key);
      if (!entry) {
        entry = { target, subscribers: [] };
        byKey.set(target.key, entry);
      }
      const sub = buildSubscriber(v, r, entry.target);
      if (!entry.subscribers.some((s) => s.healthKey === sub.healthKey)) entry.subscribers.push(sub);
    }
  }
  return [...byKey.values()];
}
