// Owns failurecount and up/down per (virtual, real): the decision half of ldirectord's
// _service_up / _service_down (L4230-4290). `decide` is pure; HealthTracker is just the
// map it is applied to. Transitions come out as data for the table planner and mailer.
//
// One deliberate difference: ldirectord keeps failcount on the real object of the
// virtual that ran the check and bumps it once per virtual sharing that real, so a real
// shared by two virtuals reaches failurecount twice as fast. haldir counts per
// (virtual, real), so failurecount=N means N consecutive failed checks everywhere.
import type { Subscriber } from './target.js';

export type Health = 'up' | 'down';

export interface RealHealth {
  readonly state: Health;
  /** ldirectord's `$r->{failcount}`: not cleared on going down, so recovery logs a reset. */
  readonly failcount: number;
}

/**
 * A real nobody has seen up yet. ld_start (L2617) forces every real that is not in the
 * IPVS table down (`service_set(down, force)`), which bumps failcount to 1 -- so its first
 * good check logs "Resetting soft failure count" before it is added. We start there too.
 */
export const INITIAL_HEALTH: RealHealth = { state: 'down', failcount: 1 };

export interface Transition {
  readonly virtualId: string;
  readonly healthKey: string;
  /** "IP:PORT" of the real (IPv6 bracketed). */
  readonly real: string;
  readonly server: string;
  readonly port: number;
  readonly state: Health;
  /** Why: the check's message, or "Server in maintenance". */
  readonly message: string;
}

export interface CheckOutcomeInput {
  readonly ok: boolean;
  readonly message: string;
  /** service_set's force flag (maintenance): down at once, no soft failures. */
  readonly force?: boolean;
}

export interface Decision {
  readonly next: RealHealth;
  readonly transition: Transition | undefined;
  /** Lines for the daemon log, ldirectord's exact texts. */
  readonly logs: readonly string[];
}

export function decide(prev: RealHealth, sub: Subscriber, input: CheckOutcomeInput): Decision {
  const where = `${sub.realLabel} (${sub.virtualId})`;
  const transition = (state: Health): Transition => ({
    virtualId: sub.virtualId,
    healthKey: sub.healthKey,
    real: sub.realLabel,
    server: sub.server,
    port: sub.port,
    state,
    message: input.message,
  });
  if (input.ok) {
    // _service_up: reset (and say so) first, then bring up if it was down
    const logs = prev.failcount > 0 ? [`Resetting soft failure count: ${where}`] : [];
    const next: RealHealth = { state: 'up', failcount: 0 };
    return { next, transition: prev.state === 'up' ? undefined : transition('up'), logs };
  }
  if (input.force) {
    const next: RealHealth = { state: 'down', failcount: prev.failcount + 1 };
    return { next, transition: prev.state === 'down' ? undefined : transition('down'), logs: [] };
  }
  // _service_down: a real that is already down is left alone (failcount untouched)
  if (prev.state === 'down') return { next: prev, transition: undefined, logs: [] };
  const failcount = prev.failcount + 1;
  if (failcount < sub.failurecount) {
    return {
      next: { state: 'up', failcount },
      transition: undefined,
      logs: [`Soft failure real server: ${where} failure ${failcount}/${sub.failurecount}`],
    };
  }
  return { next: { state: 'down', failcount }, transition: transition('down'), logs: [] };
}

export class HealthTracker {
  private readonly health = new Map<string, RealHealth>();

  constructor(initial?: Iterable<readonly [string, RealHealth]>) {
    if (initial) for (const [k, h] of initial) this.health.set(k, h);
  }

  get(healthKey: string): RealHealth {
    return this.health.get(healthKey) ?? INITIAL_HEALTH;
  }

  /** Marks a real up without a check, e.g. found in the IPVS table at start (_ld_start). */
  seed(healthKey: string, state: Health): void {
    this.health.set(healthKey, { state, failcount: 0 });
  }

  /** Sets a real's full health record (carry-over across reloads). */
  restore(healthKey: string, h: RealHealth): void {
    this.health.set(healthKey, h);
  }

  apply(sub: Subscriber, input: CheckOutcomeInput): Decision {
    const d = decide(this.get(sub.healthKey), sub, input);
    this.health.set(sub.healthKey, d.next);
    return d;
  }

  entries(): IterableIterator<[string, RealHealth]> {
    return this.health.entries();
  }

  get size(): number {
    return this.health.size;
  }
}

/**
 * Health across a config reload: a (virtual, real) whose virtual id and probe are
 * unchanged keeps its state and failcount; new ones start down; vanished ones are
 * dropped. Weight/forwarding changes do not touch the probe, so they keep health too.
 */
export function carryOverHealth(old: HealthTracker, newSubscribers: Iterable<Subscriber>): HealthTracker {
  const next = new HealthTracker();
  for (const sub of newSubscribers) {
    const prev = old.get(sub.healthKey);
    if (prev !== INITIAL_HEALTH) next.restore(sub.healthKey, prev);
  }
  return next;
}
