// negotiate check for service=oracle (ldirectord check_oracle). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service oracle: check not implemented yet', durationMs: 0 };
}
