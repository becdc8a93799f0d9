// Name resolution kept off the check path. A lookup that the resolver cannot answer
// (a DNS server that swallows queries) takes the system resolver's whole timeout --
// resolv.conf's timeout x attempts, 10 s by default -- and occupies one of libuv's four
// threadpool threads meanwhile, the same threads that read the maintenance directory
// and write the logs. So lookups run in the background, at most `maxInFlight` at a
// time, and their last answer is kept: `peek` never waits (it answers from the cache
// and refreshes stale entries behind the caller's back); `get` waits only when nothing
// was ever known, bounded by the caller's signal, and fails at once when every lookup
// slot is taken. A failed lookup keeps the previous answer.
import type { Clock } from '../runtime/clock.js';

export interface NameCacheOptions {
  readonly clock: Clock;
  /** Lookups running at once (libuv has 4 threadpool threads; leave the rest for files). */
  readonly maxInFlight?: number;
  /** An answer older than this is refreshed (in the background) when next asked for. */
  readonly ttlMs?: number;
  /** Keys waiting for a lookup slot; beyond this, requests are dropped until one finishes. */
  readonly maxQueued?: number;
  /** After a failed lookup with no earlier answer, wait this long before trying again. */
  readonly retryMs?: number;
}

interface Entry<T> {
  value: T;
  at: number;
}

export class NameLookupBusyError extends Error {
  constructor(key: string) {
    super(`name lookup of ${key} not started: every lookup slot is busy with a slow resolver`);
    this.name = 'NameLookupBusyError';
  }
}

export class NameCache<T> {
  private readonly answers = new Map<string, Entry<T>>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly queued: string[] = [];
  private readonly queuedSet = new Set<string>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly failedAt = new Map<string, number>();
  private readonly maxInFlight: number;
  private readonly ttlMs: number;
  private readonly maxQueued: number;
  /** Most lookups ever running at once (tests, status). */
  peakInFlight = 0;

  constructor(
    private readonly lookup: (key: string) => Promise<T>,
    private readonly opts: NameCacheOptions,
  ) {
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 2);
    this.ttlMs = opts.ttlMs ?? 300_000;
    this.maxQueued = opts.maxQueued ?? 1024;
  }

  /** The last answer for `key` (undefined: none yet); starts a refresh when missing or stale. Never waits. */
  peek(key: string): { readonly known: boolean; readonly value: T | undefined } {
    const e = this.answers.get(key);
    const now = this.opts.clock.now();
    if (e ? now - e.at >= this.ttlMs : now - (this.failedAt.get(key) ?? -Infinity) >= (this.opts.retryMs ?? 30_000)) this.request(key);
    return e ? { known: true, value: e.value } : { known: false, value: undefined };
  }

  /**
   * The answer for `key`: the cached one at once (refreshed behind the caller when
   * stale), else waits for a lookup, bounded by `signal`. Rejects with
   * NameLookupBusyError when no lookup slot is free, or with the lookup's error.
   */
  async get(key: string, signal: AbortSignal): Promise<T> {
    const seen = this.peek(key);
    if (seen.known) return seen.value as T;
    if (!this.inFlight.has(key)) {
      // peek queued it (no free slot) or a recent failure holds it back
      throw this.failedAt.has(key) ? new Error(`name lookup of ${key} failed recently`) : new NameLookupBusyError(key);
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(new Error(`name lookup of ${key} timed out`));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      const list = this.waiters.get(key) ?? [];
      list.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      this.waiters.set(key, list);
    });
    const e = this.answers.get(key);
    if (!e) throw new Error(`name lookup of ${key} failed`);
    return e.value;
  }

  private request(key: string): void {
    if (this.inFlight.has(key) || this.queuedSet.has(key)) return;
    if (this.inFlight.size < this.maxInFlight) return this.start(key);
    if (this.queued.length >= this.maxQueued) return;
    this.queued.push(key);
    this.queuedSet.add(key);
  }

  private start(key: string): void {
    const p = this.lookup(key)
      .then(
        (value) => {
          this.answers.set(key, { value, at: this.opts.clock.now() });
          this.failedAt.delete(key);
        },
        () => {
          // keep the last answer (retried a TTL from now); without one, retry after retryMs
          const e = this.answers.get(key);
          if (e) e.at = this.opts.clock.now();
          else this.failedAt.set(key, this.opts.clock.now());
        },
      )
      .finally(() => {
        this.inFlight.delete(key);
        for (const w of this.waiters.get(key) ?? []) w();
        this.waiters.delete(key);
        const next = this.queued.shift();
        if (next !== undefined) {
          this.queuedSet.delete(next);
          this.start(next);
        }
      });
    this.inFlight.set(key, p);
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight.size);
  }
}
