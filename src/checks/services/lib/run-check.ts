// The frame every negotiate check runs in: one deadline (ctx.timeoutMs, ldirectord's
// negotiatetimeout alarm), the scheduler's abort signal, and the rule that a dead or
// wrong backend is data, never an exception (src/checks/types.ts).
import type { Clock } from '../../../runtime/clock.js';
import { systemClock } from '../../../runtime/clock.js';
import type { CheckResult, ServiceCheckContext } from '../../types.js';
import { describeError } from './describe-error.js';

/** What a check body decides; runCheck adds the duration. */
export interface Verdict {
  readonly ok: boolean;
  readonly message: string;
  readonly detail?: string;
  /** See CheckResult.warning. */
  readonly warning?: string;
}

export const up = (message: string, detail?: string): Verdict => (detail === undefined ? { ok: true, message } : { ok: true, message, detail });
export const down = (message: string, detail?: string): Verdict =>
  detail === undefined ? { ok: false, message } : { ok: false, message, detail };

const defaultClock = systemClock({ unref: true });

/**
 * Runs `body` with a signal that fires at the deadline or when the caller aborts.
 * The body must close its sockets when that signal fires; runCheck settles at once
 * either way and always fires the signal at the end so nothing the body opened
 * outlives the check.
 */
export interface RunCheckOptions {
  /** Deadline in ms; ctx.timeoutMs (negotiatetimeout) when not given. */
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  /**
   * ldirectord's fixed message for a check that timed out, was aborted or threw (ldap:
   * "No answer received", dns: "Connection timed out"); the explanation goes to detail.
   */
  readonly failureWording?: string;
}

/** ldap and radius: ldirectord's checktimeout alarm around a negotiatetimeout client. */
export function alarmDeadline(ctx: ServiceCheckContext): number {
  return Math.min(ctx.timeoutMs, ctx.checkTimeoutMs ?? ctx.timeoutMs);
}

export async function runCheck(
  ctx: ServiceCheckContext,
  signal: AbortSignal,
  body: (signal: AbortSignal) => Promise<Verdict>,
  opts: RunCheckOptions = {},
): Promise<CheckResult> {
  const clock = opts.clock ?? defaultClock;
  const timeoutMs = opts.timeoutMs ?? ctx.timeoutMs;
  const start = clock.now();
  const controller = new AbortController();
  let stopped: Verdict | undefined;
  let bodyThrew = false;
  let wake: (() => void) | undefined;
  const stoppedEarly = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const stop = (verdict: Verdict): void => {
    if (stopped) return;
    stopped = verdict;
    controller.abort(new Error(verdict.message));
    wake?.();
  };
  const timer = clock.setTimeout(() => stop(down(`no answer within ${timeoutMs} ms`)), timeoutMs);
  const onAbort = (): void => stop(down('check aborted'));
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });

  let verdict: Verdict;
  try {
    const settled = await Promise.race([
      body(controller.signal).then(
        (v) => v,
        (err: unknown) => {
          bodyThrew = true;
          return down(describeError(err));
        },
      ),
      stoppedEarly.then(() => undefined),
    ]);
    // An abort wins over whatever error the body raised while being torn down.
    verdict = stopped ?? settled ?? down('check aborted');
    if (opts.failureWording !== undefined && (stopped || bodyThrew)) verdict = down(opts.failureWording, verdict.message);
  } finally {
    clock.clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    controller.abort(new Error('check finished'));
  }
  const durationMs = Math.max(0, clock.now() - start);
  return {
    ok: verdict.ok,
    message: verdict.message,
    durationMs,
    ...(verdict.detail === undefined ? {} : { detail: verdict.detail }),
    ...(verdict.warning === undefined ? {} : { warning: verdict.warning }),
  };
}
