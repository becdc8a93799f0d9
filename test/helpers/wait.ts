// Polling with a deadline instead of a fixed sleep followed by an assert: on a loaded
// 2-core machine a fixed sleep is either too short (a flake) or wastes time, while a
// poll returns as soon as the condition holds and fails with what it was waiting for.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Generous by default: the suite runs beside other CPU-heavy jobs. */
  readonly timeoutMs?: number;
  readonly stepMs?: number;
}

/**
 * Resolves with cond()'s first truthy value; rejects with "timed out waiting for WHAT"
 * (and the last value seen, when `describe` is given) once timeoutMs has passed.
 */
export async function waitFor<T>(
  what: string,
  cond: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  opts: WaitOptions & { readonly describe?: () => string } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) {
      const seen = opts.describe ? ` (last seen: ${opts.describe()})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}`);
    }
    await sleep(opts.stepMs ?? 20);
  }
}
