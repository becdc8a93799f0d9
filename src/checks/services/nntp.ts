// negotiate check for service=nntp (ldirectord check_nntp). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service nntp: check not implemented yet', durationMs: 0 };
}
