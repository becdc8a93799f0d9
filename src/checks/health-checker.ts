// The health-check layer as the daemon uses it: plan the checks of a Config, run them,
// hand transitions to the table planner / mailer, and survive reloads with health kept.
import { hostname as osHostname } from 'node:os';
import type { Config } from '../config/model.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { MaintenanceDir, type ReverseResolver } from './maintenance.js';
import { MonitorFileWriter } from './monitorfile.js';
import { CheckScheduler, type ProbeRunner, type SchedulerOptions } from './scheduler.js';
import { planChecks } from './target.js';
import { carryOverHealth, type HealthTracker, type Transition } from './tracker.js';

export interface HealthCheckerOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onTransition: (t: Transition) => void;
  readonly maxConcurrent?: number;
  readonly hostname?: string;
  readonly reverseResolver?: ReverseResolver;
  readonly runProbe?: ProbeRunner;
  /** Every finished probe (status output, last-check messages). */
  readonly onProbe?: SchedulerOptions['onProbe'];
  readonly pid?: number;
}

export class HealthChecker {
  private scheduler: CheckScheduler;
  private readonly monitor: MonitorFileWriter;

  constructor(config: Config, private readonly opts: HealthCheckerOptions) {
    this.monitor = new MonitorFileWriter(opts.logger);
    this.scheduler = this.build(config, undefined);
  }

  private build(config: Config, previous: CheckScheduler | undefined): CheckScheduler {
    const jobs = planChecks(config.virtuals, this.opts.hostname ?? osHostname());
    const md = config.global.maintenancedir;
    const tracker = previous ? carryOverHealth(previous.tracker, jobs.flatMap((j) => j.subscribers)) : undefined;
    return new CheckScheduler(jobs, {
      clock: this.opts.clock,
      logger: this.opts.logger,
      onTransition: this.opts.onTransition,
      monitor: this.monitor,
      ...(tracker ? { tracker } : {}),
      ...(md ? { maintenance: new MaintenanceDir(md, this.opts.clock, this.opts.reverseResolver) } : {}),
      ...(this.opts.maxConcurrent !== undefined ? { maxConcurrent: this.opts.maxConcurrent } : {}),
      ...(this.opts.runProbe ? { runProbe: this.opts.runProbe } : {}),
      ...(this.opts.onProbe ? { onProbe: this.opts.onProbe } : {}),
      ...(this.opts.pid !== undefined ? { pid: this.opts.pid } : {}),
    });
  }

  /** Marks a real up without a check (found with weight > 0 in the IPVS table at start, _ld_start). */
  seedUp(virtualId: string, address: string, port: number): void {
    const server = address.includes(':') ? `[${address}]` : address;
    for (const job of this.scheduler.jobList()) {
      for (const sub of job.subscribers) {
        if (sub.virtualId === virtualId && sub.server === server && sub.port === port) this.scheduler.tracker.seed(sub.healthKey, 'up');
      }
    }
  }

  start(): void {
    this.scheduler.start();
  }

  /** New config: same-probe reals keep their health, timers and combined-check state restart. */
  reload(config: Config): void {
    const wasRunning = this.scheduler.isRunning();
    this.scheduler.stop();
    this.scheduler = this.build(config, this.scheduler);
    if (wasRunning) this.scheduler.start();
  }

  stop(): void {
    this.scheduler.stop();
  }

  /** Resolves once every monitorfile line queued so far is written. */
  flush(): Promise<void> {
    return this.monitor.flush();
  }

  get tracker(): HealthTracker {
    return this.scheduler.tracker;
  }

  /** Checks in flight / queued, and how many rounds the least-run check has done. */
  stats(): ReturnType<CheckScheduler['stats']> {
    return this.scheduler.stats();
  }
}
