// negotiate check for service=imap (ldirectord check_imap). Stub until implemented.
import type { CheckResult, ServiceCheckContext } from '../types.js';

export async function check(_ctx: ServiceCheckContext, _signal: AbortSignal): Promise<CheckResult> {
  return { ok: false, message: 'service imap: check not implemented yet', durationMs: 0 };
}
