// negotiate check for service=pop (ldirectord check_pop). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service pop: check not implemented yet', durationMs: 0 };
}
