// Config-model values for the alert tests, with ldirectord's defaults.

import type { GlobalConfig, RealServer, VirtualService } from '../../../src/config/model.js';
import { makeReal, makeVirtual } from '../../checks/fixtures.js';
import { buildGlobal } from '../../../src/config/effective.js';
import { defaultGlobal } from '../../../src/config/raw.js';

/** Reals and virtuals: the check tests' builders (same model, same defaults). */
export function real(address: string, port: number): RealServer {
  return makeReal({ address, port, checkPort: port, source: { file: '/etc/ha.d/ldirectord.cf', line: 1 } });
}

export function virtual(over: Partial<VirtualService> = {}): VirtualService {
  return makeVirtual({ checkinterval: 10, reals: [real('10.0.0.2', 80), real('10.0.0.3', 80)], ...over });
}

/** ldirectord's global defaults as the config engine fills them in (set_defaults, L1276). */
export function globalConfig(over: Partial<GlobalConfig> = {}): GlobalConfig {
  return { ...buildGlobal(defaultGlobal(), '/etc/ha.d/ldirectord.cf'), ...over };
}
