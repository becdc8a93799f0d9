// Config-model values for the alert tests, with ldirectord's defaults.

import type { GlobalConfig, RealServer, VirtualService } from '../../../src/config/model.js';

const src = { file: '/etc/ha.d/ldirectord.cf', line: 1 };

export function real(address: string, port: number): RealServer {
  return {
    address,
    port,
    forward: 'gate',
    weight: 1,
    request: '',
    receive: '',
    ownRequest: false,
    lowerThreshold: 0,
    upperThreshold: 0,
    checkPort: port,
    source: src,
  };
}

export function virtual(over: Partial<VirtualService> = {}): VirtualService {
  const address = over.address ?? '10.0.0.1';
  const port = over.port ?? 80;
  return {
    id: `tcp:${address.includes(':') ? `[${address}]` : address}:${port}`,
    family: address.includes(':') ? 'inet6' : 'inet',
    protocol: 'tcp',
    address,
    port,
    fwmark: undefined,
    scheduler: 'wrr',
    persistent: undefined,
    netmask: undefined,
    schedflags: undefined,
    ops: false,
    service: 'http',
    check: { kind: 'negotiate' },
    checkport: undefined,
    request: '/',
    receive: '',
    httpmethod: 'GET',
    virtualhost: undefined,
    login: '',
    passwd: '',
    database: '',
    secret: '',
    checktimeout: 5,
    negotiatetimeout: 30,
    checkcount: 1,
    failurecount: 1,
    checkinterval: 10,
    quiescent: false,
    fallback: undefined,
    fallbackcommand: undefined,
    emailalert: [],
    emailalertfreq: 0,
    emailalertstatus: ['starting', 'running', 'stopping', 'reloading'],
    monitorfile: undefined,
    cleanstop: true,
    smtp: undefined,
    servicename: undefined,
    comment: undefined,
    reals: [real('10.0.0.2', 80), real('10.0.0.3', 80)],
    source: src,
    ...over,
  };
}

export function globalConfig(over: Partial<GlobalConfig> = {}): GlobalConfig {
  return {
    autoreload: false,
    callback: undefined,
    checkcount: 1,
    checkinterval: 10,
    checktimeout: undefined,
    negotiatetimeout: undefined,
    cleanstop: true,
    emailalert: [],
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
    ...over,
  };
}
