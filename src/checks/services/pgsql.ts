// negotiate check for service=pgsql (ldirectord check_pgsql). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service pgsql: check not implemented yet', durationMs: 0 };
}
