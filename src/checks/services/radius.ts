// negotiate check for service=radius (ldirectord check_radius). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service radius: check not implemented yet', durationMs: 0 };
}
