// negotiate check for service=ldap (ldirectord check_ldap). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service ldap: check not implemented yet', durationMs: 0 };
}
