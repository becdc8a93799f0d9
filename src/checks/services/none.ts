// negotiate check for service=none (ldirectord check_none). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service none: check not implemented yet', durationMs: 0 };
}
