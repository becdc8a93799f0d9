// Injected time. Everything that waits (scheduler, tracker repeats, VRRP timers,
// alert backoff, split-brain hysteresis) takes a Clock so tests run timelines
// without sleeping (seesaw read the wall clock in its state machine and regretted it).

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Wall-clock milliseconds since the epoch (for log timestamps). */
  wallNow(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

let nextId = 1;

/** The real clock: performance.now() and Node timers (unref'd only when asked). */
export function systemClock(opts: { unref?: boolean } = {}): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  return {
    now: () => performance.now(),
    wallNow: () => Date.now(),
    setTimeout(fn, ms) {
      const id = nextId++;
      const t = setTimeout(() => {
        timers.delete(id);
        fn();
      }, Math.max(0, ms));
      if (opts.unref) t.unref();
      timers.set(id, t);
      return { id };
    },
    clearTimeout(h) {
      const t = timers.get(h.id);
      if (t) {
        clearTimeout(t);
        timers.delete(h.id);
      }
    },
  };
}

/** A clock that only moves when told to; timers fire in due order during advance(). */
export class ManualClock implements Clock {
  private t = 0;
  private readonly wallBase: number;
  private readonly pending = new Map<number, { at: number; seq: number; fn: () => void }>();
  private seq = 0;

  constructor(start = 0, wallBase = Date.UTC(2026, 0, 1)) {
    this.t = start;
    this.wallBase = wallBase;
  }
  now(): number {
    return this.t;
  }
  wallNow(): number {
    return this.wallBase + this.t;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = nextId++;
    this.pending.set(id, { at: this.t + Math.max(0, ms), seq: this.seq++, fn });
    return { id };
  }
  clearTimeout(h: TimerHandle): void {
    this.pending.delete(h.id);
  }
  /** Number of timers still pending. */
  get pendingCount(): number {
    return this.pending.size;
  }
  /** Moves time forward by ms, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let nextIdDue: number | undefined;
      let best: { at: number; seq: number } | undefined;
      for (const [id, p] of this.pending) {
        if (p.at <= end && (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq))) {
          best = p;
          nextIdDue = id;
        }
      }
      if (nextIdDue === undefined || !best) break;
      const p = this.pending.get(nextIdDue)!;
      this.pending.delete(nextIdDue);
      this.t = Math.max(this.t, p.at);
      p.fn();
    }
    this.t = end;
  }
}
