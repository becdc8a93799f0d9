// negotiate check for service=dns (ldirectord check_dns). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service dns: check not implemented yet', durationMs: 0 };
}
