// negotiate check for service=ftp (ldirectord check_ftp). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service ftp: check not implemented yet', durationMs: 0 };
}
