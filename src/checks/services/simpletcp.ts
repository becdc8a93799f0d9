// negotiate check for service=simpletcp (ldirectord check_simpletcp). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service simpletcp: check not implemented yet', durationMs: 0 };
}
