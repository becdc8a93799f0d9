// Runs regex matches that could backtrack for a long time (regex-cost.ts) in a worker
// thread with a hard deadline: a match still running after `budgetMs` is stopped by
// terminating the worker (a fresh one takes over the queue), and the caller gets
// 'timeout'. So a pathological `receive` against a hostile body costs one check, never
// the event loop that runs every other check, the status socket and the table.
//
// The budget is generous for honest work: V8 matches a 1 MiB page against `a.*b` or a
// literal in under 10 ms; ldirectord's perl matches the hostile 1 MB "status status
// ..." line against `status.*ok` in 19 ms. A (regex, text) pair that already ran out of
// budget is remembered (bounded LRU of digests), so a real that serves the same hostile
// body every round costs a hash, not another budget, per check.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { MatchReply, MatchRequest } from './regex-worker.js';

export type MatchVerdict = 'match' | 'no-match' | 'timeout';

/** Worker time one match may take before it is killed. */
export const MATCH_BUDGET_MS = 250;
/** Remembered (regex, text) pairs that ran out of budget. */
const TIMEOUT_MEMORY = 512;
/** Matches waiting for the worker beyond this are answered 'timeout' at once (memory bound). */
const MAX_QUEUE = 4096;

interface Job {
  readonly req: MatchRequest;
  readonly digest: string;
  readonly resolve: (v: MatchVerdict) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

export interface RegexPoolOptions {
  readonly budgetMs?: number;
}

export class RegexPool {
  private worker: Worker | undefined;
  /** The worker has loaded; a budget only runs from then (a cold start is not the regex's fault). */
  private ready = false;
  private running: Job | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly queue: Job[] = [];
  private readonly timedOut = new Map<string, true>();
  private nextId = 1;
  private readonly budgetMs: number;
  /** Workers started so far (1 + one per kill): for tests and the soak bench. */
  workersStarted = 0;

  constructor(opts: RegexPoolOptions = {}) {
    this.budgetMs = opts.budgetMs ?? MATCH_BUDGET_MS;
  }

  test(regex: RegExp, text: string, signal?: AbortSignal): Promise<MatchVerdict> {
    if (signal?.aborted) return Promise.resolve('timeout');
    const digest = createHash('sha1').update(`${regex.flags}/${regex.source}\0`).update(text).digest('base64');
    if (this.timedOut.has(digest)) {
      this.timedOut.delete(digest); // LRU refresh
      this.timedOut.set(digest, true);
      return Promise.resolve('timeout');
    }
    if (this.queue.length >= MAX_QUEUE) return Promise.resolve('timeout');
    return new Promise<MatchVerdict>((resolve) => {
      const req: MatchRequest = { id: this.nextId++, source: regex.source, flags: regex.flags, text };
      const job: Job = {
        req,
        digest,
        resolve,
        signal,
        onAbort: () => {
          // Waiting: leave the queue. Running: let it finish or hit the budget, the
          // caller has its answer already.
          const i = this.queue.indexOf(job);
          if (i >= 0) this.queue.splice(i, 1);
          resolve('timeout');
        },
      };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /** Terminates the worker; queued matches are answered 'timeout'. */
  async close(): Promise<void> {
    for (const j of this.queue.splice(0)) this.settle(j, 'timeout');
    if (this.running) this.settle(this.running, 'timeout');
    this.running = undefined;
    clearTimeout(this.timer);
    const w = this.worker;
    this.worker = undefined;
    this.ready = false;
    await w?.terminate();
  }

  private spawn(): Worker {
    const w = new Worker(new URL('./regex-worker.js', import.meta.url));
    this.workersStarted++;
    w.on('message', (m: MatchReply) => {
      if (w !== this.worker) return;
      if (m.id === 0) {
        this.ready = true;
        this.pump();
        return;
      }
      const job = this.running;
      if (w !== this.worker || !job || job.req.id !== m.id) return;
      clearTimeout(this.timer);
      this.running = undefined;
      this.settle(job, m.matched ? 'match' : 'no-match');
      this.pump();
    });
    const died = (): void => {
      if (w !== this.worker) return;
      if (this.ready) return this.restart('no-match');
      // It could not even start: answer everything waiting instead of respawning in a loop.
      this.worker = undefined;
      for (const j of this.queue.splice(0)) this.settle(j, 'timeout');
    };
    w.on('error', died);
    w.on('exit', died);
    return w;
  }

  private pump(): void {
    // Referenced only while there is work: an idle matcher never keeps the daemon or a test alive.
    if (!this.running && this.queue.length === 0) this.worker?.unref();
    if (this.running || this.queue.length === 0) return;
    if (!this.worker) {
      this.ready = false;
      this.worker = this.spawn();
    }
    this.worker.ref();
    if (!this.ready) return;
    const job = this.queue.shift()!;
    this.running = job;
    this.worker.postMessage(job.req);
    this.timer = setTimeout(() => {
      this.remember(job.digest);
      this.restart('timeout');
    }, this.budgetMs);
    this.timer.unref();
  }

  /** The running match is over (budget spent, worker died): kill the worker, go on with a new one. */
  private restart(verdict: MatchVerdict): void {
    clearTimeout(this.timer);
    const w = this.worker;
    this.worker = undefined;
    this.ready = false;
    void w?.terminate();
    const job = this.running;
    this.running = undefined;
    if (job) this.settle(job, verdict);
    this.pump();
  }

  private settle(job: Job, verdict: MatchVerdict): void {
    job.signal?.removeEventListener('abort', job.onAbort);
    job.resolve(verdict);
  }

  private remember(digest: string): void {
    if (this.timedOut.size >= TIMEOUT_MEMORY) this.timedOut.delete(this.timedOut.keys().next().value!);
    this.timedOut.set(digest, true);
  }
}
