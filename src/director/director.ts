// The composition root of haldir: config -> checks -> tracker -> pool planner -> table
// backend, with the log and mail layers hanging off the planner's events. Every
// decision is made by a pure function elsewhere (planChecks, decide, planDesiredTable,
// planOps, AlertPolicy); this class only sequences them and owns the running state.
//
// ldirectord does all of this in one loop (ld_main, L2746): check every real, sleep
// checkinterval, look at the config file. Here checks run on their own timers, a health
// transition triggers a table round at once, the config file is watched with inotify,
// and a drift-repair timer compares the kernel table with the desired one.
import type { Config, Diagnostic, ParseResult } from '../config/model.js';
import { readFileSync } from 'node:fs';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { execFile, type ExecResult } from '../runtime/exec.js';
import { ConfigWatcher, contentHash } from '../runtime/config-watcher.js';
import type { CheckJob, ProbeRunner } from '../checks/scheduler.js';
import { INITIAL_HEALTH } from '../checks/tracker.js';
import { buildTarget } from '../checks/target.js';
import type { ProbeOutcome } from '../checks/run-check.js';
import { HealthChecker } from '../checks/health-checker.js';
import { adoptedReals, planDesiredTable, planShutdown, realKey, resolveFallback, serviceKeyOf, type FallbackCommandRun, type FallbackCommandState, type PoolEvent, type RealHealth } from '../pool/plan-desired.js';
import { confirmEvents } from '../pool/confirm.js';
import { planOps, applyOpsToTable } from '../ipvs/plan.js';
import { serviceId } from '../ipvs/keys.js';
import { opArgs } from '../ipvs/ipvsadm-text.js';
import type { FailedOp, IpvsOp, IpvsTable, TableBackend } from '../ipvs/types.js';
import type { Alerting } from '../alerts/alerting.js';
import { configRejectedAlert } from '../alerts/generic.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { diffConfigs, type ConfigDiff } from '../config/diff.js';
import type { DaemonStatus } from '../config/model.js';
import type { AlertMessage } from '../alerts/message.js';
import { heldBackNotice, noticeAddressing, printable, retryDelayMs, roundErrorNotice, tableFailureNotice } from './notices.js';

export const VERSION = '0.1.0';
/** ldirectord's banner ($VERSION_STR), kept at the front of the start line so greps for it still work. */
export const VERSION_STR = 'Linux Director v1.186-ha';

export interface DirectorOptions {
  readonly configPath: string;
  /** The validated config to start with (the CLI refuses to start on errors). */
  readonly config: Config;
  /** Parses the config file again for reloads. */
  readonly load: (path: string) => Promise<ParseResult>;
  readonly backend: TableBackend;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Mail for table changes and rejected reloads (ldirectord's ld_emailalert_send); none in tests/demo. */
  readonly alerting?: Pick<Alerting, 'tableChanged' | 'send' | 'reconfigure' | 'policy'>;
  readonly hostname: string;
  readonly pid: number;
  /** Drift repair period; 0 disables. Default 5 s. */
  readonly driftRepairMs?: number;
  /** Watch the config file (autoreload and the "changed on disk" log). Default true. */
  readonly watchConfig?: boolean;
  /** Quiet period an in-place edit of the config file must settle for (ms; default 500). */
  readonly configSettleMs?: number;
  /** Replaces the real probes (tests). */
  readonly runProbe?: ProbeRunner;
  /** Runs fallbackcommand / callback (default: execFile without a shell, 30 s limit). */
  readonly runCommand?: (argv: readonly string[]) => Promise<ExecResult>;
}

/** One line of `status -v` / the USR1 dump. */
export interface RealStatus {
  readonly address: string;
  readonly port: number;
  readonly forward: string;
  readonly weight: number | undefined;
  readonly health: RealHealth;
  readonly lastCheck: { readonly ok: boolean; readonly message: string; readonly ageMs: number } | undefined;
}

export interface VirtualStatus {
  readonly id: string;
  readonly label: string;
  readonly scheduler: string;
  readonly flags: string;
  readonly check: string;
  readonly reals: readonly RealStatus[];
  readonly fallback: { readonly address: string; readonly port: number; readonly active: boolean } | undefined;
}

export interface DirectorSnapshot {
  readonly pid: number;
  readonly config: string;
  readonly status: DaemonStatus;
  readonly startedAgoMs: number;
  readonly virtuals: readonly VirtualStatus[];
  readonly table: IpvsTable;
  readonly lastReload: { readonly ok: boolean; readonly agoMs: number; readonly errors: number } | undefined;
}

interface LastProbe {
  readonly ok: boolean;
  readonly message: string;
  readonly at: number;
}

export class Director {
  private config: Config;
  private status: DaemonStatus = 'starting';
  private readonly checker: HealthChecker;
  private observed: IpvsTable = { services: [] };
  private fallbackState: FallbackCommandState = new Map();
  /** virtual id -> real key -> tracker health key */
  private healthKeys = new Map<string, Map<string, string>>();
  private readonly lastProbe = new Map<string, LastProbe>();
  private watcher: ConfigWatcher | undefined;
  private driftTimer: TimerHandle | undefined;
  private startedAt = 0;
  private lastReload: { ok: boolean; at: number; errors: number } | undefined;
  /**
   * Every piece of table work (rounds, drift repair, stop) runs through this queue, one
   * at a time: two rounds planned from the same observed table would both add a
   * service the table lacks (`-A` twice, "Added virtual server" twice).
   */
  private tableQueue: Promise<void> = Promise.resolve();
  /** A round is queued and has not started planning yet: requests coalesce into it. */
  private roundQueued = false;
  /** Failed table work in this episode: attempts so far, the retry timer, mails sent. */
  private failedAttempts = 0;
  private retryTimer: TimerHandle | undefined;
  private failureMailed = false;
  private roundErrorMailed = false;
  /** A 'start' round (reload) that failed is retried as one, so its purges happen too. */
  private retryPhase: 'start' | 'running' = 'running';
  private stopped = false;
  private firstRoundDone = false;
  /** Checks that have run since start, until every one has (then 'starting' ends). */
  private readonly firstRoundSeen = new Set<string>();
  private firstRoundJobs = 0;
  /** Previous config's managed service ids, purged on the next round after a reload. */
  private previousServiceIds: string[] = [];

  constructor(private readonly opts: DirectorOptions) {
    this.config = opts.config;
    this.checker = new HealthChecker(opts.config, {
      clock: opts.clock,
      logger: opts.logger,
      hostname: opts.hostname,
      pid: opts.pid,
      runProbe: opts.runProbe,
      onTransition: () => this.requestRound(),
      onProbe: (job, outcome) => this.onProbe(job, outcome),
    });
    opts.alerting?.reconfigure(opts.config);
    opts.alerting?.policy.setDaemonStatus('starting');
  }

  get daemonStatus(): DaemonStatus {
    return this.status;
  }

  get currentConfig(): Config {
    return this.config;
  }

  /** ld_start: adopt the kernel table, then start checking. */
  async start(initialText?: string): Promise<void> {
    const { logger, clock } = this.opts;
    this.startedAt = clock.now();
    this.setStatus('starting');
    this.observed = await this.opts.backend.read();
    this.indexHealthKeys();
    this.adoptTable();
    await this.round('start');
    this.firstRoundDone = false;
    this.firstRoundJobs = this.checker.stats().jobs;
    this.checker.start();
    if (this.opts.watchConfig !== false) {
      let text = initialText;
      if (text === undefined) {
        try {
          text = readFileSync(this.opts.configPath, 'utf8');
        } catch {
          text = undefined; // unreadable now: the first change event will tell
        }
      }
      const initialHash = text === undefined ? undefined : contentHash(text);
      this.watcher = new ConfigWatcher(this.opts.configPath, () => void this.onConfigChanged(), {
        clock,
        initialHash,
        settleMs: this.opts.configSettleMs,
        // why an edit is not applied at once (a half-written file is never applied)
        onSettling: (ms) => logger.info(`Configuration file '${this.opts.configPath}' is being written; reading it once unchanged for ${ms} ms`),
      });
      this.watcher.start();
    }
    this.armDrift();
    if (this.config.virtuals.every((v) => v.check.kind === 'off' || v.reals.length === 0)) this.markRunning();
    logger.debug(`started with ${this.config.virtuals.length} virtual services`);
  }

  /** SIGTERM/SIGINT: ld_stop with cleanstop, fallbackcommand stop (a fix), then quiet. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.setStatus('stopping');
    this.stopped = true;
    this.watcher?.stop();
    if (this.driftTimer) this.opts.clock.clearTimeout(this.driftTimer);
    if (this.retryTimer) this.opts.clock.clearTimeout(this.retryTimer);
    this.checker.stop();
    await this.checker.flush();
    await this.exclusive(async () => {
      const plan = planShutdown(this.config, this.observed, this.fallbackState);
      const ops: IpvsOp[] = plan.deleteServiceIds.flatMap((id) => {
        const svc = this.observed.services.find((s) => serviceId(s.key) === id);
        return svc ? [{ kind: 'delete-service', key: svc.key } as const] : [];
      });
      if (ops.length > 0) await this.applyOps(ops);
      this.emit(confirmEvents(plan.events, { services: [] }, this.observed));
      await Promise.all(plan.fallbackCommands.map((c) => this.runFallbackCommand(c)));
    });
  }

  /** SIGHUP: ldirectord logs this line, then rereads the file. */
  async reloadOnSignal(): Promise<boolean> {
    this.opts.logger.info('Reloading Linux Director Daemon config on signal');
    return this.reload({ confirmed: true });
  }

  /**
   * Reread the config file. An invalid file is never applied: the diagnostics are
   * logged with line numbers, an alert is mailed, and everything keeps running as is.
   * Unless `confirmed` (SIGHUP, `haldir reload`; the default), a file without any
   * virtual service is not applied while virtual services run: autoreload reads it
   * when an editor or a config-management tool has truncated it to write it again.
   */
  async reload(opts: { readonly confirmed?: boolean } = {}): Promise<boolean> {
    const { logger } = this.opts;
    let result: ParseResult;
    try {
      result = await this.opts.load(this.opts.configPath);
    } catch (e) {
      logger.error(`Reload of ${this.opts.configPath} failed: ${e instanceof Error ? e.message : String(e)}; keeping the running configuration`);
      this.lastReload = { ok: false, at: this.opts.clock.now(), errors: 1 };
      return false;
    }
    if (!result.config) {
      this.rejectConfig(result.diagnostics);
      return false;
    }
    if (opts.confirmed === false && result.config.virtuals.length === 0 && this.config.virtuals.length > 0) {
      this.holdBack();
      return false;
    }
    for (const d of result.diagnostics) logger.warn(formatDiagnostic(d));
    await this.applyConfig(result.config);
    this.lastReload = { ok: true, at: this.opts.clock.now(), errors: 0 };
    return true;
  }

  private rejectConfig(diags: readonly Diagnostic[]): void {
    const { logger } = this.opts;
    const errors = diags.filter((d) => d.severity === 'error');
    logger.error(`Configuration file '${this.opts.configPath}' has errors; the running configuration stays in force`);
    for (const d of diags) logger.error(formatDiagnostic(d));
    this.lastReload = { ok: false, at: this.opts.clock.now(), errors: errors.length };
    const to = this.config.global.emailalert;
    if (to.length > 0 && this.config.global.emailalertstatus.includes('reloading')) {
      this.opts.alerting?.send(
        configRejectedAlert('haldir', this.opts.hostname, this.opts.configPath, diags, {
          to,
          from: this.config.global.emailalertfrom,
          smtp: this.config.global.smtp,
        }),
      );
    }
  }

  /** An autoreload that would remove every virtual service: logged, mailed, not applied. */
  private holdBack(): void {
    const running = this.config.virtuals.length;
    const file = this.opts.configPath;
    this.opts.logger.error(
      `Configuration file '${file}' has no virtual services; autoreload did not apply it, as it would remove all ${running} running ` +
        `virtual service${running === 1 ? '' : 's'} [E-AUTORELOAD-EMPTY]. Write the full file back, or confirm with 'haldir ${file} reload' (SIGHUP)`,
    );
    const to = noticeAddressing(this.config, 'reloading');
    if (to) this.mail(heldBackNotice(this.opts.hostname, file, running, to));
  }

  private mail(m: AlertMessage): void {
    this.opts.alerting?.send(m);
  }

  private async applyConfig(next: Config): Promise<void> {
    const prev = this.config;
    this.setStatus('reloading');
    this.opts.logger.info(describeReload(diffConfigs(prev, next)));
    this.previousServiceIds = prev.virtuals.map((v) => serviceId(serviceKeyOf(v)));
    this.config = next;
    this.indexHealthKeys();
    // Health of (virtual, probe) pairs that did not change is carried over: nothing
    // flaps, and a real known to be dead is never re-added (ldirectord re-adds all).
    this.firstRoundDone = true;
    this.checker.reload(next);
    this.adoptTable();
    this.opts.alerting?.reconfigure(next);
    await this.exclusive(() => this.guardedRound('start'));
    this.setStatus('running');
  }

  private async onConfigChanged(): Promise<void> {
    const { logger } = this.opts;
    if (this.stopped) return;
    logger.info(`Configuration file '${this.opts.configPath}' has changed on disk`);
    if (this.config.global.autoreload) {
      logger.info(' - reread new configuration');
      await this.reload({ confirmed: false });
    } else {
      logger.info(' - ignore new configuration');
    }
    const cb = this.config.global.callback;
    if (cb) {
      const r = await this.runCommand([cb, this.opts.configPath]);
      if (r.error || r.code !== 0) logger.warn(`callback ${cb} ${this.opts.configPath} failed: ${r.error ?? `exit ${r.code ?? r.signal}`}`);
    }
  }

  private onProbe(job: CheckJob, outcome: ProbeOutcome): void {
    const at = this.opts.clock.now();
    for (const s of job.subscribers) this.lastProbe.set(s.healthKey, { ok: outcome.result.ok, message: outcome.result.message, at });
    if (this.firstRoundDone) return;
    // O(1) per probe: scanning every job's run count here made the first round O(N^2)
    this.firstRoundSeen.add(job.target.key);
    if (this.firstRoundSeen.size >= this.firstRoundJobs) {
      this.firstRoundDone = true;
      this.firstRoundSeen.clear();
      this.markRunning();
    }
  }

  private markRunning(): void {
    // ldirectord sends the first round's mails as "starting" (ld_start runs one full
    // check before the main loop); after that everything is "running".
    if (this.status === 'starting') this.setStatus('running');
  }

  private setStatus(s: DaemonStatus): void {
    this.status = s;
    this.opts.alerting?.policy.setDaemonStatus(s);
  }

  private indexHealthKeys(): void {
    const idx = new Map<string, Map<string, string>>();
    for (const v of this.config.virtuals) {
      const m = new Map<string, string>();
      if (v.check.kind !== 'off') {
        for (const r of v.reals) m.set(realKey(r), `${v.id}|${buildTarget(v, r, this.opts.hostname).key}`);
      }
      idx.set(v.id, m);
    }
    this.healthKeys = idx;
  }

  /** Reals found serving in the table and not yet known to the tracker start up (ld_start). */
  private adoptTable(): void {
    for (const { virtualId, realKey: rk } of adoptedReals(this.config, this.observed)) {
      const hk = this.healthKeys.get(virtualId)?.get(rk);
      if (hk !== undefined && this.checker.tracker.get(hk) === INITIAL_HEALTH) this.checker.tracker.seed(hk, 'up');
    }
  }

  private health(virtualId: string, rkey: string): RealHealth {
    const hk = this.healthKeys.get(virtualId)?.get(rkey);
    if (hk === undefined) return 'unknown';
    const h = this.checker.tracker.get(hk);
    return h === INITIAL_HEALTH ? 'unknown' : h.state;
  }

  /** Runs `fn` after every table task queued before it; the queue goes on if it fails. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tableQueue.then(fn);
    this.tableQueue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Asks for a table round; rounds never overlap and requests made meanwhile coalesce. */
  requestRound(): void {
    if (this.stopped || this.roundQueued) return;
    this.roundQueued = true;
    void this.exclusive(async () => {
      // let every transition of this tick land first (100 reals failing at once -> one batch)
      await new Promise<void>((r) => setImmediate(r));
      this.roundQueued = false;
      if (!this.stopped) await this.guardedRound(this.retryPhase);
    });
  }

  /** Waits for every table task queued so far, and those they queue (tests, stop). */
  async settled(): Promise<void> {
    for (;;) {
      const tail = this.tableQueue;
      await tail;
      if (tail === this.tableQueue) return;
    }
  }

  private async round(phase: 'start' | 'running'): Promise<void> {
    await this.exclusive(() => this.roundUnlocked(phase));
  }

  /**
   * A round that cannot stop the next one: an unexpected error is logged with its
   * stack, mailed once, and the round is retried with backoff.
   */
  private async guardedRound(phase: 'start' | 'running'): Promise<void> {
    try {
      await this.roundUnlocked(phase);
    } catch (e) {
      this.roundFailed(e);
    }
  }

  private roundFailed(e: unknown): void {
    const { logger } = this.opts;
    const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
    const ms = this.scheduleRetry('running');
    const [first = '', ...rest] = text.split('\n');
    logger.error(`Unexpected error in a table round (retrying in ${ms / 1000} s): ${printable(first)}`);
    for (const line of rest) logger.error(printable(line));
    if (this.roundErrorMailed) return;
    this.roundErrorMailed = true;
    const to = noticeAddressing(this.config, this.status);
    if (to) this.mail(roundErrorNotice(this.opts.hostname, text, to));
  }

  /** Arms the retry of failed table work (1 s, doubling, at most 60 s); returns the delay. */
  private scheduleRetry(phase: 'start' | 'running'): number {
    this.failedAttempts++;
    if (phase === 'start') this.retryPhase = 'start';
    const ms = retryDelayMs(this.failedAttempts);
    if (this.retryTimer) this.opts.clock.clearTimeout(this.retryTimer);
    if (this.stopped) return ms; // a timer now would only keep a stopping process alive
    this.retryTimer = this.opts.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.requestRound();
    }, ms);
    return ms;
  }

  /** Table work went through: the failure episode, if any, is over. */
  private tableOk(): void {
    if (this.failedAttempts > 0 && this.failureMailed) {
      this.opts.logger.info(`IPVS table changes succeed again after ${this.failedAttempts} failed attempt${this.failedAttempts === 1 ? '' : 's'}`);
    }
    this.failedAttempts = 0;
    this.failureMailed = false;
    this.roundErrorMailed = false;
    this.retryPhase = 'running';
    if (this.retryTimer) {
      this.opts.clock.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
  }

  /** Some ipvsadm commands were refused: retried with backoff, mailed once per episode. */
  private tableFailed(failed: readonly FailedOp[], phase: 'start' | 'running'): void {
    const ms = this.scheduleRetry(phase);
    this.opts.logger.warn(
      `${failed.length} IPVS table change${failed.length === 1 ? '' : 's'} failed (attempt ${this.failedAttempts}); retrying in ${ms / 1000} s`,
    );
    if (this.failureMailed) return;
    this.failureMailed = true;
    const to = noticeAddressing(this.config, this.status);
    if (to) this.mail(tableFailureNotice(this.opts.hostname, failed, ms, to));
  }

  private async roundUnlocked(phase: 'start' | 'running'): Promise<void> {
    const plan = planDesiredTable(this.config, (v, r) => this.health(v, r), this.observed, {
      fallbackState: this.fallbackState,
      phase,
      previousVirtualIds: this.previousServiceIds,
    });
    const ops = planOps(this.observed, plan.desired, plan.managedServiceIds);
    const failed = ops.length > 0 ? await this.applyOps(ops) : [];
    // a dropped virtual whose delete failed is still to be deleted on the retry
    const left = new Set(this.observed.services.map((s) => serviceId(s.key)));
    const configured = new Set(this.config.virtuals.map((v) => serviceId(serviceKeyOf(v))));
    this.previousServiceIds = this.previousServiceIds.filter((id) => left.has(id) && !configured.has(id));
    this.fallbackState = plan.fallbackState;
    // report what the table now holds, not what was asked of it
    this.emit(confirmEvents(plan.events, plan.desired, this.observed));
    for (const c of plan.fallbackCommands) void this.runFallbackCommand(c);
    if (failed.length > 0) this.tableFailed(failed, phase);
    else this.tableOk();
  }

  /** Applies ops; afterwards `observed` is what the kernel holds. Returns the refused ones. */
  private async applyOps(ops: readonly IpvsOp[]): Promise<readonly FailedOp[]> {
    const { logger } = this.opts;
    const report = await this.opts.backend.apply(ops);
    if (report.failed.length === 0) {
      this.observed = applyOpsToTable(this.observed, ops);
      return [];
    }
    for (const f of report.failed) {
      logger.error(`ipvsadm ${f.args.join(' ')} failed${f.exitCode === null ? '' : ` (exit ${f.exitCode})`}: ${printable(f.message)}`);
    }
    // the table is not what we think: read it back so the next round starts from truth
    try {
      this.observed = await this.opts.backend.read();
    } catch (e) {
      logger.error(`reading the IPVS table failed: ${e instanceof Error ? e.message : String(e)}`);
      const refused = new Set(report.failed.map((f) => f.op));
      this.observed = applyOpsToTable(this.observed, ops.filter((op) => !refused.has(op)));
    }
    return report.failed;
  }

  private emit(events: readonly PoolEvent[]): void {
    for (const e of events) this.opts.logger.info(e.message);
    this.opts.alerting?.tableChanged(events, this.config.virtuals);
  }

  private runCommand(argv: readonly string[]): Promise<ExecResult> {
    return this.opts.runCommand ? this.opts.runCommand(argv) : execFile(argv, { timeoutMs: 30000 });
  }

  private async runFallbackCommand(c: FallbackCommandRun): Promise<void> {
    const r = await this.runCommand(c.argv);
    if (r.error || r.code !== 0) {
      this.opts.logger.error(`fallbackcommand "${c.commandLine}" failed: ${r.error ?? (r.timedOut ? 'timed out' : `exit ${r.code ?? r.signal}`)}`);
    }
  }

  private armDrift(): void {
    const ms = this.opts.driftRepairMs ?? 5000;
    if (ms <= 0 || this.stopped) return;
    this.driftTimer = this.opts.clock.setTimeout(() => {
      void this.repairDrift()
        .catch((e: unknown) => this.roundFailed(e))
        .finally(() => this.armDrift());
    }, ms);
  }

  /**
   * Compares the kernel's table with what haldir believes and repairs changes made
   * behind its back (someone ran `ipvsadm -C`, or edited a weight by hand). Changes
   * haldir asked for and the kernel refused are not drift: the retry round makes them.
   * Returns the number of repair commands run.
   */
  async repairDrift(): Promise<number> {
    if (this.stopped) return 0;
    return this.exclusive(() => this.repairDriftUnlocked());
  }

  private async repairDriftUnlocked(): Promise<number> {
    if (this.stopped) return 0;
    let actual: IpvsTable;
    try {
      actual = await this.opts.backend.read();
    } catch (e) {
      this.opts.logger.error(`drift check: reading the IPVS table failed: ${e instanceof Error ? e.message : String(e)}`);
      return 0;
    }
    const plan = planDesiredTable(this.config, (v, r) => this.health(v, r), this.observed, {
      fallbackState: this.fallbackState,
      phase: 'running',
    });
    const outside = outsideChanges(this.observed, actual, plan.managedServiceIds);
    const ops = planOps(actual, plan.desired, plan.managedServiceIds);
    this.observed = actual;
    if (ops.length === 0) return 0;
    if (outside === 0) {
      // nothing changed behind our back: these are changes still pending after a failure
      this.requestRound();
      return 0;
    }
    this.opts.logger.warn(
      `IPVS table drifted from the configuration (${outside} change${outside === 1 ? '' : 's'} made outside haldir); repairing`,
    );
    for (const op of ops) this.opts.logger.warn(`Repair: ipvsadm ${opArgs(op).join(' ')}`);
    const failed = await this.applyOps(ops);
    if (failed.length > 0) this.tableFailed(failed, 'running');
    return ops.length;
  }

  /** Everything `status -v` and the USR1 dump show. */
  snapshot(): DirectorSnapshot {
    const now = this.opts.clock.now();
    const table = this.observed;
    const virtuals: VirtualStatus[] = this.config.virtuals.map((v) => {
      const key = serviceKeyOf(v);
      const svc = table.services.find((s) => serviceId(s.key) === serviceId(key));
      const label = v.protocol === 'fwm' ? `FWM  ${v.fwmark}` : `${v.protocol.toUpperCase()}  ${v.family === 'inet6' ? `[${v.address}]` : v.address}:${v.port}`;
      const reals: RealStatus[] = v.reals.map((r) => {
        const rk = realKey(r);
        const hk = this.healthKeys.get(v.id)?.get(rk);
        const lp = hk ? this.lastProbe.get(hk) : undefined;
        const dest = svc?.destinations.find((d) => d.address === r.address && (d.port === r.port || v.protocol === 'fwm'));
        return {
          address: r.address,
          port: r.port,
          forward: r.forward,
          weight: dest?.weight,
          health: shownHealth(this.health(v.id, rk), lp),
          lastCheck: lp ? { ok: lp.ok, message: lp.message, ageMs: now - lp.at } : undefined,
        };
      });
      const fb = resolveFallback(v, this.config.global);
      const flags = [v.persistent !== undefined ? `persistent ${v.persistent}` : '', v.ops ? 'ops' : ''].filter(Boolean).join(' ');
      return {
        id: v.id,
        label,
        scheduler: v.scheduler,
        flags,
        check: v.check.kind === 'negotiate' || v.check.kind === 'combined' ? `${v.check.kind}:${v.service}` : v.check.kind,
        reals,
        fallback: fb
          ? {
              address: fb.address,
              port: fb.port ?? v.port,
              active: this.fallbackState.get(v.id) === 'start',
            }
          : undefined,
      };
    });
    return {
      pid: this.opts.pid,
      config: this.opts.configPath,
      status: this.status,
      startedAgoMs: now - this.startedAt,
      virtuals,
      table,
      lastReload: this.lastReload ? { ok: this.lastReload.ok, agoMs: now - this.lastReload.at, errors: this.lastReload.errors } : undefined,
    };
  }
}

/**
 * The health `status -v` shows. The tracker starts every real down-and-never-seen
 * ('unknown' to the planner, which then adopts what the table holds); once a check
 * has run and the real is still not up, it is down, whatever the planner assumed.
 */
export function shownHealth(h: RealHealth, lastCheck: { readonly ok: boolean } | undefined): RealHealth {
  return h === 'unknown' && lastCheck !== undefined ? 'down' : h;
}

/**
 * How many ipvsadm commands someone else ran on the managed services: the difference
 * between the table haldir last saw (after its own commands, refused ones included)
 * and the one the kernel shows now.
 */
export function outsideChanges(believed: IpvsTable, actual: IpvsTable, managedServiceIds: readonly string[]): number {
  const managed = new Set(managedServiceIds);
  const only = (t: IpvsTable): IpvsTable => ({ services: t.services.filter((svc) => managed.has(serviceId(svc.key))) });
  return planOps(only(believed), only(actual), managed).length;
}

/** One log line saying what a reload changes (the table round logs each entry it touches). */
export function describeReload(d: ConfigDiff): string {
  const parts: string[] = [];
  if (d.added.length) parts.push(`added ${d.added.map((v) => v.id).join(', ')}`);
  if (d.removed.length) parts.push(`removed ${d.removed.map((v) => v.id).join(', ')}`);
  for (const c of d.changed) {
    const what = [
      ...c.fields.map((f) => f.field),
      ...(c.realsAdded.length ? [`+${c.realsAdded.length} real`] : []),
      ...(c.realsRemoved.length ? [`-${c.realsRemoved.length} real`] : []),
      ...(c.realsChanged.length ? [`~${c.realsChanged.length} real`] : []),
    ];
    parts.push(`changed ${c.id} (${what.join(', ')})`);
  }
  if (d.global.length) parts.push(`global ${d.global.map((f) => f.field).join(', ')}`);
  return `Reloaded configuration: ${parts.length ? parts.join('; ') : 'no changes'}`;
}
