// Log flood control for per-packet log lines. keepalived logs one line per bad packet
// ("received an invalid passwd!", "invalid ttl"...) and per lower-priority advert; a
// host sending 5,000 bad packets a second then writes 50,000 lines in 10 s and buries
// everything else. haldir-vrrp logs the first line of each (instance, reason, source)
// (and kind of line) in keepalived's shape, counts the repeats for LOG_WINDOW_MS, then writes one
// summary: "(VI_1) 4999 more adverts with a bad password from 10.0.0.9 in the last 10 s".
// The exact counts stay in the drop counters (`status -v`); this only bounds the log.

import type { Clock, TimerHandle } from '../runtime/clock.js';

export const LOG_WINDOW_MS = 10_000;
/** Distinct (instance, reason, source) keys tracked at once; beyond it, "other sources". */
export const LOG_MAX_KEYS = 64;

export interface RepeatableLine {
  instance: string;
  /** Why the packet was dropped or discarded (a drop counter reason). */
  reason: string;
  /** The packet's source address. */
  src: string;
  level: 'info' | 'warn';
  /** The line to log when this is the first in its window (keepalived's shape). */
  line: string;
  /** Plural noun phrase for the summary, e.g. "adverts with a bad password". */
  what: string;
  /**
   * A gap longer than this since the previous repeat ends the episode: the next one is
   * logged in full. A flood has no gaps; a peer that stopped and started again (it was
   * a lower-priority master, then BACKUP, then master again) is news worth a line.
   */
  quietMs?: number;
}

interface Entry {
  windowEnd: number;
  lastAt: number;
  suppressed: number;
  level: 'info' | 'warn';
  summary: (n: number) => string;
}

export class LogThrottle {
  private readonly entries = new Map<string, Entry>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly write: (level: 'info' | 'warn', line: string) => void,
    private readonly windowMs = LOG_WINDOW_MS,
    private readonly maxKeys = LOG_MAX_KEYS,
  ) {}

  note(e: RepeatableLine): void {
    const now = this.clock.now();
    // One window per kind of line: a BACKUP's "discarding" line must not hide the
    // "forcing new election" line the same source causes once we are MASTER.
    let key = `${e.instance}\n${e.reason}\n${e.what}\n${e.src}`;
    let from = e.src;
    if (!this.entries.has(key)) {
      this.prune(now);
      if (this.entries.size >= this.maxKeys) {
        key = `${e.instance}\n${e.reason}\n${e.what}\n*`;
        from = 'other sources';
      }
    }
    const cur = this.entries.get(key);
    const resumed = cur !== undefined && e.quietMs !== undefined && now - cur.lastAt > e.quietMs;
    if (cur && now < cur.windowEnd && !resumed) {
      cur.suppressed++;
      cur.lastAt = now;
      this.arm();
      return;
    }
    if (cur) this.close(key, cur);
    const window = this.windowMs / 1000;
    this.entries.set(key, {
      windowEnd: now + this.windowMs,
      lastAt: now,
      suppressed: 0,
      level: e.level,
      summary: (n) => `(${e.instance}) ${n} more ${e.what} from ${from} in the last ${window} s`,
    });
    this.write(e.level, e.line);
  }

  /** Writes every pending summary now (at stop). */
  flush(): void {
    for (const [key, e] of [...this.entries]) this.close(key, e);
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private close(key: string, e: Entry): void {
    this.entries.delete(key);
    if (e.suppressed > 0) this.write(e.level, e.summary(e.suppressed));
  }

  private prune(now: number): void {
    for (const [key, e] of [...this.entries]) if (now >= e.windowEnd) this.close(key, e);
  }

  /** One timer for the earliest window with something to summarise. */
  private arm(): void {
    if (this.timer) return;
    let at = Infinity;
    for (const e of this.entries.values()) if (e.suppressed > 0) at = Math.min(at, e.windowEnd);
    if (at === Infinity) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.prune(this.clock.now());
      this.arm();
    }, Math.max(0, at - this.clock.now()));
  }
}
