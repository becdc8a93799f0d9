// Runs every planned check on its virtual's checkinterval and feeds the tracker.
// ldirectord checks all reals serially and then sleeps (_ld_main_check_all L2834), so
// one hung real delays every other one; here each check has its own timer, starts at a
// phase spread over the interval (no thundering herd), is cut off at its timeout through
// an AbortSignal (a check that ignores the signal is abandoned, its slot freed anyway),
// and a FIFO concurrency cap bounds sockets/processes without starving anybody.
import { readFileSync } from 'node:fs';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import { TIMEOUT_STATUS } from './http-client.js';
import type { Logger } from '../runtime/logger.js';
import type { MaintenanceDir } from './maintenance.js';
import { MAINTENANCE_MESSAGE } from './maintenance.js';
import { monitorLine, type MonitorFileWriter } from './monitorfile.js';
import {
  initialProbeState,
  nextProbeState,
  phaseOf,
  runProbe as defaultRunProbe,
  timeoutFor,
  type Phase,
  type ProbeOutcome,
  type ProbeState,
} from './run-check.js';
import type { CheckTarget, Subscriber } from './target.js';
import { HealthTracker, type Transition } from './tracker.js';

export interface CheckJob {
  readonly target: CheckTarget;
  readonly subscribers: readonly Subscriber[];
}

export type ProbeRunner = (target: CheckTarget, phase: Phase, signal: AbortSignal) => Promise<ProbeOutcome>;

export interface SchedulerOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly tracker?: HealthTracker;
  /** Checks in flight at once (sockets, children); queued beyond that, FIFO. */
  readonly maxConcurrent?: number;
  readonly onTransition?: (t: Transition) => void;
  /** Every finished probe, for status output, benches and tests. */
  readonly onProbe?: (job: CheckJob, outcome: ProbeOutcome, phase: Phase) => void;
  readonly maintenance?: MaintenanceDir;
  readonly monitor?: MonitorFileWriter;
  readonly pid?: number;
  /** Replaces the real probes (tests). */
  readonly runProbe?: ProbeRunner;
}

export const FALLBACK_MAX_CONCURRENT = 1024;

/**
 * Checks in flight by default: half the open-file limit (each check holds one socket or
 * a child's pipes), between 64 and 8,192. Too low a cap throttles big farms (at 10,000
 * reals and 0.5 s answers, 1,024 slots allow only ~2,000 checks/s); too high a one
 * would end in EMFILE, which would fail checks of healthy reals.
 */
export function defaultMaxConcurrent(limitsText?: string): number {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return FALLBACK_MAX_CONCURRENT;
    }
  }
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
  if (!m) return FALLBACK_MAX_CONCURRENT;
  const soft = m[1] === 'unlimited' ? Infinity : Number(m[1]);
  return Math.max(64, Math.min(8192, Math.floor(soft / 2)));
}

interface ForcedOrProbe {
  readonly outcome: ProbeOutcome;
  /** service_set's force flag: maintenance. */
  readonly forced: boolean;
}

interface JobRuntime {
  job: CheckJob;
  probe: ProbeState;
  timer: TimerHandle | undefined;
  /** When the current run was due (its phase slot), not when it actually started. */
  due: number;
  running: AbortController | undefined;
  queued: boolean;
  runs: number;
  removed: boolean;
  /** The last CheckResult.warning logged for this check: logged again only when it changes. */
  lastWarning: string | undefined;
}

/** FNV-1a: a stable phase per check key, so restarts and reloads keep the spread. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function phaseOffsetMs(key: string, intervalMs: number): number {
  return Math.floor((hash32(key) / 0x1_0000_0000) * intervalMs);
}

export class CheckScheduler {
  readonly tracker: HealthTracker;
  private readonly jobs = new Map<string, JobRuntime>();
  private readonly queue: JobRuntime[] = [];
  private inFlight = 0;
  private started = false;
  private readonly maxConcurrent: number;
  private readonly probe: ProbeRunner;

  constructor(jobs: readonly CheckJob[], private readonly opts: SchedulerOptions) {
    this.tracker = opts.tracker ?? new HealthTracker();
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? defaultMaxConcurrent());
    this.probe = opts.runProbe ?? defaultRunProbe;
    for (const job of jobs) this.jobs.set(job.target.key, this.newRuntime(job));
  }

  private newRuntime(job: CheckJob): JobRuntime {
    return { job, probe: initialProbeState(), timer: undefined, due: 0, running: undefined, queued: false, runs: 0, removed: false, lastWarning: undefined };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const rt of this.jobs.values()) this.arm(rt, phaseOffsetMs(rt.job.target.key, rt.job.target.intervalMs));
  }

  /** Clears every timer, aborts every check in flight, forgets the queue. */
  stop(): void {
    this.started = false;
    for (const rt of this.jobs.values()) this.halt(rt);
    this.queue.length = 0;
  }

  /**
   * Config reload: jobs whose key survives keep their timer phase and combined-check
   * state and get the new subscriber list; removed ones stop; new ones start.
   */
  replaceJobs(jobs: readonly CheckJob[]): void {
    const next = new Map<string, JobRuntime>();
    for (const job of jobs) {
      const old = this.jobs.get(job.target.key);
      if (old) {
        old.job = job;
        next.set(job.target.key, old);
      } else {
        const rt = this.newRuntime(job);
        next.set(job.target.key, rt);
        if (this.started) this.arm(rt, phaseOffsetMs(job.target.key, job.target.intervalMs));
      }
    }
    for (const [key, rt] of this.jobs) if (!next.has(key)) this.retire(rt);
    this.jobs.clear();
    for (const [k, v] of next) this.jobs.set(k, v);
  }

  isRunning(): boolean {
    return this.started;
  }

  jobList(): CheckJob[] {
    return [...this.jobs.values()].map((rt) => rt.job);
  }

  /** Checks in flight / waiting for a slot / completed per job. */
  stats(): { inFlight: number; queued: number; jobs: number; minRuns: number; totalRuns: number } {
    let minRuns = Infinity;
    let totalRuns = 0;
    for (const rt of this.jobs.values()) {
      minRuns = Math.min(minRuns, rt.runs);
      totalRuns += rt.runs;
    }
    return { inFlight: this.inFlight, queued: this.queue.length, jobs: this.jobs.size, minRuns: this.jobs.size ? minRuns : 0, totalRuns };
  }

  /** A job that left the config: halted for good. */
  private retire(rt: JobRuntime): void {
    rt.removed = true;
    this.halt(rt);
  }

  /** Timer cleared, check in flight aborted, out of the queue. */
  private halt(rt: JobRuntime): void {
    if (rt.timer) this.opts.clock.clearTimeout(rt.timer);
    rt.timer = undefined;
    rt.running?.abort();
    if (rt.queued) {
      const i = this.queue.indexOf(rt);
      if (i >= 0) this.queue.splice(i, 1);
      rt.queued = false;
    }
  }

  private arm(rt: JobRuntime, delayMs: number): void {
    if (rt.timer) this.opts.clock.clearTimeout(rt.timer);
    rt.due = this.opts.clock.now() + delayMs;
    rt.timer = this.opts.clock.setTimeout(() => {
      rt.timer = undefined;
      this.due(rt);
    }, delayMs);
  }

  private due(rt: JobRuntime): void {
    if (!this.started || rt.removed || rt.running || rt.queued) return;
    if (this.inFlight < this.maxConcurrent) void this.launch(rt);
    else {
      rt.queued = true;
      this.queue.push(rt);
    }
  }

  private releaseSlot(): void {
    this.inFlight--;
    while (this.inFlight < this.maxConcurrent && this.queue.length > 0) {
      const rt = this.queue.shift()!;
      rt.queued = false;
      if (!rt.removed && this.started) void this.launch(rt);
    }
  }

  private async launch(rt: JobRuntime): Promise<void> {
    const { clock } = this.opts;
    this.inFlight++;
    const target = rt.job.target;
    const phase = phaseOf(target, rt.probe);
    const timeoutMs = timeoutFor(target, phase);
    const ac = new AbortController();
    rt.running = ac;
    const timer = clock.setTimeout(() => ac.abort(), timeoutMs);
    const cutOff = new Promise<'aborted'>((resolve) => {
      ac.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    let settled: ForcedOrProbe | 'aborted';
    try {
      settled = await Promise.race([cutOff, this.probeOrMaintenance(rt, phase, ac.signal)]);
    } finally {
      clock.clearTimeout(timer);
      rt.running = undefined;
      this.releaseSlot();
    }
    if (rt.removed || !this.started) return;
    let outcome: ProbeOutcome;
    let forced = false;
    if (settled === 'aborted') {
      const msg = `check timed out after ${timeoutMs} ms`;
      const http = phase === 'negotiate' && ['http', 'https', 'http_proxy'].includes(target.ctx.service);
      outcome = { result: { ok: false, message: msg, durationMs: timeoutMs }, monitorMessage: http ? TIMEOUT_STATUS : '-' };
    } else {
      outcome = settled.outcome;
      forced = settled.forced;
    }
    rt.runs++;
    const warning = outcome.result.warning;
    if (warning !== undefined && warning !== rt.lastWarning) this.opts.logger.warn(warning);
    rt.lastWarning = warning;
    if (!forced) rt.probe = nextProbeState(rt.probe, phase, outcome.result.ok);
    this.deliver(rt.job, outcome, forced);
    this.opts.onProbe?.(rt.job, outcome, phase);
    // Stay on the phase grid: after a stall (GC, CPU starvation, a slow check) the next
    // run is the next slot of this check's own phase, so checks never bunch up.
    const now = clock.now();
    let nextDue = rt.due + target.intervalMs;
    if (nextDue < now) nextDue += Math.ceil((now - nextDue) / target.intervalMs) * target.intervalMs;
    this.arm(rt, nextDue - now);
  }

  /** _check_real L2857: a real in maintenance is forced down and not probed at all. */
  private async probeOrMaintenance(rt: JobRuntime, phase: Phase, signal: AbortSignal): Promise<ForcedOrProbe> {
    const t = rt.job.target;
    if (this.opts.maintenance) {
      const hit = await this.opts.maintenance.match(t.server, t.realPort);
      if (hit !== undefined) {
        const result = { ok: false, message: MAINTENANCE_MESSAGE, durationMs: 0 };
        return { outcome: { result, monitorMessage: MAINTENANCE_MESSAGE }, forced: true };
      }
    }
    try {
      return { outcome: await this.probe(t, phase, signal), forced: false };
    } catch (e) {
      // A probe must not throw; if one does, its real is down and the scheduler lives on.
      const message = `check error: ${(e as Error).message}`;
      return { outcome: { result: { ok: false, message, durationMs: 0 }, monitorMessage: '-' }, forced: false };
    }
  }

  private deliver(job: CheckJob, outcome: ProbeOutcome, force: boolean): void {
    const { logger, monitor, onTransition, clock } = this.opts;
    const pid = this.opts.pid ?? process.pid;
    for (const sub of job.subscribers) {
      const d = this.tracker.apply(sub, { ok: outcome.result.ok, message: outcome.result.message, force });
      for (const line of d.logs) logger.info(line);
      if (d.transition) onTransition?.(d.transition);
      if (monitor && sub.monitorfile && outcome.monitorMessage !== undefined) {
        monitor.write(sub.monitorfile, monitorLine(clock.wallNow(), pid, sub.realIdStr, outcome.result.ok ? 'up' : 'down', outcome.monitorMessage));
      }
    }
  }
}
