// negotiate check for service=smtp (ldirectord check_smtp). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service smtp: check not implemented yet', durationMs: 0 };
}
