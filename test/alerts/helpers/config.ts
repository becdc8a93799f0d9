// Config-model values for the alert tests, with ldirectord's defaults.

import type { GlobalConfig, RealServer, VirtualService } from '../../../src/config/model.js';
import { makeReal, makeVirtual } from '../../checks/fixtures.js';

/** Reals and virtuals: the check tests' builders (same model, same defaults). */
export function real(address: string, port: number): RealServer {
  return makeReal({ address, port, checkPort: port, source: { file: '/etc/ha.d/ldirectord.cf', line: 1 } });
}

export function virtual(over: Partial<VirtualService> = {}): VirtualService {
  return makeVirtual({ checkinterval: 10, reals: [real('10.0.0.2', 80), real('10.0.0.3', 80)], ...over });
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
