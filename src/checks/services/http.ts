// negotiate check for service=http (ldirectord check_http). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service http: check not implemented yet', durationMs: 0 };
}
