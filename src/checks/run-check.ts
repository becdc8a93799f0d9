// Dispatches one round's probe for a target by its checktype (_check_real L2857) and
// says what ldirectord would write to the monitorfile for it (service_set's do_log).
import { checkConnect } from './connect.js';
import { checkExternal } from './external.js';
import { checkPing } from './ping.js';
import { serviceChecks } from './services/index.js';
import type { CheckTarget } from './target.js';
import type { CheckResult } from './types.js';

/** Per-target memory between rounds: combined checks count connects (`$$r{num_connects}`). */
export interface ProbeState {
  numConnects: number;
}

/** ld_setup starts combined reals "overdue" so the first probe negotiates. */
export function initialProbeState(): ProbeState {
  return { numConnects: Number.MAX_SAFE_INTEGER };
}

export type Phase = 'negotiate' | 'connect' | 'ping' | 'external' | 'on';

export function phaseOf(target: CheckTarget, state: ProbeState): Phase {
  const c = target.check;
  switch (c.kind) {
    case 'negotiate':
      return 'negotiate';
    case 'combined':
      return state.numConnects >= c.numConnects ? 'negotiate' : 'connect';
    case 'connect':
      return target.protocol === 'udp' ? 'ping' : 'connect';
    case 'ping':
      return 'ping';
    case 'external':
    case 'external-perl':
      return 'external';
    case 'on':
    case 'off':
      return 'on';
  }
}

/** The cut-off the scheduler enforces: negotiate checks get negotiatetimeout, the rest checktimeout. */
export function timeoutFor(target: CheckTarget, phase: Phase): number {
  switch (phase) {
    case 'negotiate':
      return target.ctx.timeoutMs;
    case 'ping':
      return target.checkTimeoutMs * target.checkcount;
    case 'on':
      return 1000;
    default:
      return target.checkTimeoutMs;
  }
}

export interface ProbeOutcome {
  readonly result: CheckResult;
  /** Text for the monitorfile line; undefined when ldirectord does not log (no do_log). */
  readonly monitorMessage: string | undefined;
}

export async function runProbe(target: CheckTarget, phase: Phase, signal: AbortSignal): Promise<ProbeOutcome> {
  const c = target.check;
  switch (phase) {
    case 'on':
      // check "on": service_set(up) without do_log (L2928)
      return { result: { ok: true, message: 'on', durationMs: 0 }, monitorMessage: undefined };
    case 'connect':
      return { result: await checkConnect(target.ctx.host, target.ctx.port, signal), monitorMessage: '-' };
    case 'ping': {
      const result = await checkPing(target.ctx.host, target.checkcount, target.checkTimeoutMs, signal);
      // check_ping logs only the up case
      return { result, monitorMessage: result.ok ? '-' : undefined };
    }
    case 'external': {
      const kind = c.kind === 'external-perl' ? 'external-perl' : 'external';
      const command = c.kind === 'external' || c.kind === 'external-perl' ? c.command : '/bin/true';
      const result = await checkExternal(kind, command, target.externalArgs, signal);
      // check_external_perl calls service_set without do_log
      return { result, monitorMessage: kind === 'external' ? '-' : undefined };
    }
    case 'negotiate': {
      const fn = serviceChecks[target.ctx.service];
      let result: CheckResult;
      try {
        result = await fn(target.ctx, signal);
      } catch (e) {
        // A service module must not throw; if one does, the real is down, not the daemon.
        result = { ok: false, message: `check error: ${(e as Error).message}`, durationMs: 0 };
      }
      return { result, monitorMessage: monitorMessageFor(target.ctx.service, result) };
    }
  }
}

/** Services whose ldirectord check passes a message to service_set (check_http L3058,
 * check_ldap L3209-3257, check_dns L3809-3822); every other one logs "-". */
const SERVICES_WITH_MESSAGES = new Set(['http', 'https', 'http_proxy', 'ldap', 'ldaps', 'dns']);

function monitorMessageFor(service: string, result: CheckResult): string {
  return SERVICES_WITH_MESSAGES.has(service) && result.message !== '' ? result.message : '-';
}

/** Combined bookkeeping after a probe (L2870-2935): a good negotiate resets the count,
 * a good connect adds one, a failed connect forces a negotiate next time. */
export function nextProbeState(state: ProbeState, phase: Phase, ok: boolean): ProbeState {
  if (phase === 'negotiate') return ok ? { numConnects: 0 } : state;
  if (phase === 'connect') return ok ? { numConnects: state.numConnects + 1 } : { numConnects: Number.MAX_SAFE_INTEGER };
  return state;
}
