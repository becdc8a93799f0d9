// Small builders for the typed config model, so planner tests read like ldirectord.cf.
import type { Config, FallbackServer, GlobalConfig, RealServer, VirtualService } from '../../src/config/model.js';

const src = { file: 'test.cf', line: 1 };

export function real(address: string, port: number, over: Partial<RealServer> = {}): RealServer {
  return {
    address, port, forward: 'gate', weight: 1, request: '/', receive: '', ownRequest: false,
    lowerThreshold: 0, upperThreshold: 0, checkPort: port || undefined, source: src, ...over,
  };
}

export function fallback(address: string, port?: number, forward: FallbackServer['forward'] = 'gate'): FallbackServer {
  return { address, port, forward, source: src };
}

/** `where`: "10.0.0.1:80", "[2001:db8::1]:80" or a fwmark number. */
export function virtual(where: string | number, reals: readonly RealServer[], over: Partial<VirtualService> = {}): VirtualService {
  const protocol = over.protocol ?? (typeof where === 'number' ? 'fwm' : 'tcp');
  let address: string | undefined;
  let port = 0;
  let family: VirtualService['family'] = over.family ?? 'inet';
  if (typeof where === 'string') {
    const m = /^\[(.+)\]:(\d+)$/.exec(where) ?? /^(.+):(\d+)$/.exec(where);
    if (!m) throw new Error(`bad virtual ${where}`);
    address = m[1]!;
    port = Number(m[2]);
    if (address.includes(':')) family = 'inet6';
  }
  const id = typeof where === 'number' ? `fwm${family === 'inet6' ? '6' : ''}:${where}` : `${protocol}:${where}`;
  return {
    id, family, protocol, address, port, fwmark: typeof where === 'number' ? where : undefined,
    scheduler: 'wrr', persistent: undefined, netmask: undefined, schedflags: undefined, ops: false,
    service: 'none', check: { kind: 'connect' }, checkport: undefined, request: '/', receive: '',
    httpmethod: 'GET', virtualhost: undefined, login: '', passwd: '', database: '', secret: '',
    checktimeout: 5, negotiatetimeout: 30, checkcount: 1, failurecount: 1, checkinterval: 10,
    quiescent: false, fallback: undefined, fallbackcommand: undefined, emailalert: [], emailalertfreq: 0,
    emailalertstatus: ['starting', 'running', 'stopping', 'reloading'], monitorfile: undefined, cleanstop: true,
    smtp: undefined, servicename: undefined, comment: undefined, reals, source: src, ...over,
  };
}

export function globalConfig(over: Partial<GlobalConfig> = {}): GlobalConfig {
  return {
    autoreload: false, callback: undefined, checkcount: 1, checkinterval: 10, checktimeout: undefined,
    negotiatetimeout: undefined, cleanstop: true, emailalert: [], emailalertfreq: 0,
    emailalertstatus: ['starting', 'running', 'stopping', 'reloading'], emailalertfrom: undefined, execute: [],
    failurecount: 1, fallback: undefined, fallback6: undefined, fallbackcommand: undefined, fork: false,
    logfile: '/var/log/ldirectord.log', maintenancedir: undefined, quiescent: false, readdquiescent: false,
    smtp: undefined, supervised: false, smtpuser: undefined, smtppasswd: undefined, smtptls: 'none', ...over,
  };
}

export function config(virtuals: readonly VirtualService[], global: Partial<GlobalConfig> = {}): Config {
  return { file: 'test.cf', global: globalConfig(global), virtuals };
}
