// negotiate check for service=mysql (ldirectord check_mysql). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service mysql: check not implemented yet', durationMs: 0 };
}
