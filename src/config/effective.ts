// ld_setup (L2292): ldirectord's defaults and global -> virtual inheritance, applied once
// so every consumer of the model reads effective values.
import type {
  CheckType, Config, FallbackServer, GlobalConfig, RealServer, ServiceName, VirtualService,
} from './model.js';
import type { RawFallback, RawGlobal, RawVirtual } from './raw.js';
import { serviceToPort } from './syntax.js';
import { splitRecipients } from './values.js';
import { virtualIdOf } from './parse.js';

function fallbackOf(f: RawFallback, file: string): FallbackServer {
  return { address: f.address, port: f.port, forward: f.forward, source: { file, line: f.line } };
}

function checkOf(v: RawVirtual): CheckType {
  switch (v.checktype) {
    case 'combined':
      return { kind: 'combined', numConnects: v.numConnects };
    case 'external':
    case 'external-perl':
      return { kind: v.checktype, command: v.checkcommand };
    case 'connect':
    case 'negotiate':
    case 'ping':
    case 'on':
    case 'off':
      return { kind: v.checktype };
    default:
      return { kind: 'negotiate' };
  }
}

/** checktimeout and negotiatetimeout default to each other, then to the globals, then 5 / 30. */
export function effectiveTimeouts(v: { checktimeout: number; negotiatetimeout: number }, g: { checktimeout: number; negotiatetimeout: number }): { checktimeout: number; negotiatetimeout: number } {
  const first = (...xs: number[]): number => xs.find((x) => x >= 0) ?? -1;
  return {
    checktimeout: first(v.checktimeout, v.negotiatetimeout, g.checktimeout, g.negotiatetimeout, 5),
    negotiatetimeout: first(v.negotiatetimeout, v.checktimeout, g.negotiatetimeout, g.checktimeout, 30),
  };
}

/** fallback_find (L4340): the virtual's own, else the global one for its family and protocol. */
function effectiveFallback(v: RawVirtual, g: RawGlobal, file: string): FallbackServer | undefined {
  if (v.fallback) {
    const own = fallbackOf(v.fallback, file);
    // fwmark virtuals: port 0 means "the packet's port"; render it without a port.
    return v.protocol === 'fwm' && own.port === 0 ? { ...own, port: undefined } : own;
  }
  const gf = v.family === 'inet6' ? g.fallback6 : g.fallback;
  if (!gf) return undefined;
  // ldirectord looks up $FALLBACK->{fwm}, which does not exist, and renders `-r :0`
  // (README, "Differences from ldirectord"); haldir uses the tcp resolution for fwmark virtuals.
  const chosen = v.protocol === 'udp' ? gf.udp : gf.tcp;
  const fb = fallbackOf(chosen, file);
  if (fb.port !== undefined) return fb;
  return { ...fb, port: v.protocol === 'fwm' ? undefined : v.port };
}

function realOf(v: RawVirtual, service: ServiceName, file: string): (r: RawVirtual['reals'][number]) => RealServer {
  return (r) => {
    const own = r.request !== undefined && r.receive !== undefined;
    // A real whose receive was lost (see reals.ts) keeps its request for the checks that
    // read $$r{request}, but http/https/http_proxy build their URL from the virtual's.
    const lostReceive = r.request !== undefined && r.receive === undefined;
    const httpish = service === 'http' || service === 'https' || service === 'http_proxy';
    return {
      address: r.address,
      port: r.port,
      forward: r.forward,
      weight: r.weight,
      request: own ? r.request! : lostReceive && !httpish ? r.request! : v.request,
      receive: own ? r.receive! : v.receive,
      ownRequest: own,
      lowerThreshold: r.lower,
      upperThreshold: r.upper,
      checkPort: v.checkport ?? (r.port > 0 ? r.port : serviceToPort(service)),
      source: { file, line: r.line },
    };
  };
}

export function buildVirtual(v: RawVirtual, g: RawGlobal, file: string): VirtualService {
  const service = (v.service ?? 'none') as ServiceName;
  const t = effectiveTimeouts(v, g);
  return {
    id: virtualIdOf(v),
    family: v.family,
    protocol: v.protocol,
    address: v.protocol === 'fwm' ? undefined : v.address,
    port: v.protocol === 'fwm' ? 0 : v.port,
    fwmark: v.protocol === 'fwm' ? parseInt(v.fwmText!, 10) : undefined,
    scheduler: v.scheduler,
    persistent: v.persistent,
    netmask: v.netmask,
    schedflags: v.schedflags,
    ops: v.ops && v.protocol === 'udp',
    service,
    check: checkOf(v),
    checkport: v.checkport,
    request: v.request,
    receive: v.receive,
    httpmethod: v.httpmethod,
    virtualhost: v.virtualhost,
    login: v.login,
    passwd: v.passwd,
    database: v.database,
    secret: v.secret,
    checktimeout: t.checktimeout,
    negotiatetimeout: t.negotiatetimeout,
    checkcount: v.checkcount >= 0 ? v.checkcount : g.checkcount,
    failurecount: v.failurecount >= 0 ? v.failurecount : g.failurecount,
    // run_child: `$$v{checkinterval} || $CHECKINTERVAL`, and only with fork=yes.
    checkinterval: g.fork && v.checkinterval ? v.checkinterval : g.checkinterval,
    quiescent: v.quiescent ?? g.quiescent,
    fallback: effectiveFallback(v, g, file),
    fallbackcommand: v.fallbackcommand ?? g.fallbackcommand,
    emailalert: splitRecipients(v.emailalert ?? g.emailalert),
    emailalertfreq: v.emailalertfreq ?? g.emailalertfreq,
    emailalertstatus: v.emailalertstatus ?? g.emailalertstatus,
    monitorfile: v.monitorfile,
    cleanstop: v.cleanstop ?? g.cleanstop,
    smtp: v.smtp ?? g.smtp,
    servicename: v.servicename,
    comment: v.comment,
    reals: v.reals.map(realOf(v, service, file)),
    source: { file, line: v.line },
  };
}

export function buildGlobal(g: RawGlobal, file: string): GlobalConfig {
  return {
    autoreload: g.autoreload,
    callback: g.callback,
    checkcount: g.checkcount,
    checkinterval: g.checkinterval,
    checktimeout: g.checktimeout >= 0 ? g.checktimeout : undefined,
    negotiatetimeout: g.negotiatetimeout >= 0 ? g.negotiatetimeout : undefined,
    cleanstop: g.cleanstop,
    emailalert: splitRecipients(g.emailalert),
    emailalertfreq: g.emailalertfreq,
    emailalertstatus: g.emailalertstatus,
    emailalertfrom: g.emailalertfrom,
    execute: g.execute,
    failurecount: g.failurecount,
    fallback: g.fallback ? fallbackOf(g.fallback.tcp, file) : undefined,
    fallback6: g.fallback6 ? fallbackOf(g.fallback6.tcp, file) : undefined,
    fallbackcommand: g.fallbackcommand,
    fork: g.fork,
    logfile: g.logfile,
    maintenancedir: g.maintenancedir,
    quiescent: g.quiescent,
    readdquiescent: g.readdquiescent,
    smtp: g.smtp,
    supervised: g.supervised,
    smtpuser: g.smtpuser,
    smtppasswd: g.smtppasswd,
    smtptls: g.smtptls,
  };
}

export function buildConfig(file: string, g: RawGlobal, virtuals: readonly RawVirtual[]): Config {
  return { file, global: buildGlobal(g, file), virtuals: virtuals.filter((v) => !v.broken).map((v) => buildVirtual(v, g, file)) };
}
