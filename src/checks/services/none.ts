// negotiate check for service=none (ldirectord check_none L3855): no probe at all, the
// real is up. Fwmark virtuals default to this service.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: true, message: '-', durationMs: 0 };
}
