// negotiate check for service=sip (ldirectord check_sip). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service sip: check not implemented yet', durationMs: 0 };
}
