// Wiring split-brain detection into a haldir-vrrp process: the monitored instances from
// vrrp.cf, the real probes (arping/ndisc6, ping, got), alerts through the process's one
// alerting path (src/vrrp/mail-sink.ts), the
// status_listen endpoints, and the status -v decoration. src/vrrp/service.ts builds
// SplitBrain before the VrrpDaemon (it needs the observer), binds the listeners with
// listen() before the daemon starts, and calls start() after.

import type { Server } from 'node:http';
import { isIP } from 'node:net';
import { splitBrainAlert, statusListenAlert } from '../alerts/generic.js';
import type { AlertMessage } from '../alerts/message.js';
import { runNotify } from '../vrrp/notify.js';
import { effectivePriority } from '../vrrp/machine.js';
import type { VrrpDaemon, DaemonObserver, InstanceStatus } from '../vrrp/daemon.js';
import type { GarpSender } from '../vrrp/garp.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { HostPort, VrrpConfig } from '../vrrp-config/model.js';
import { SplitBrainMonitor } from './monitor.js';
import type { MonitoredInstance, SplitBrainStatus } from './monitor.js';
import { toolDuplicateProbe } from './duplicate-probe.js';
import { systemPinger } from './ping-probe.js';
import { gotStatusReader } from './status-client.js';
import { StatusListenError, formatHostPort, serveStatusDocument } from './status-server.js';
import type { StatusDocument } from './status-document.js';

export interface SplitBrainOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly garp: GarpSender;
  readonly arpingPath?: string;
  readonly ndisc6Path?: string;
  /** Probe round in ms (default 1000; HALDIR_VRRP_SPLIT_BRAIN_INTERVAL_MS in the CLI). */
  readonly intervalMs?: number;
  /** The process's one alerting path (src/vrrp/mail-sink.ts VrrpAlerting.sendMessage). */
  readonly send: (m: AlertMessage) => void;
}

/** How often a status listener that failed to bind after a reload is tried again. */
const LISTEN_RETRY_MS = 5000;

export interface InstanceStatusWithSplitBrain extends InstanceStatus {
  splitBrain?: SplitBrainStatus;
}

export function monitoredInstances(cfg: VrrpConfig): MonitoredInstance[] {
  return cfg.instances.map((i) => ({
    name: i.name,
    vrid: i.vrid,
    family: i.family === 'inet' ? 4 : 6,
    advertIntervalMs: i.advertInt * 1000,
    vips: i.vips.map((v) => ({ address: v.address, dev: v.dev ?? i.interface })),
    peer: i.peer,
    localAddress: i.peer && i.statusListen && isIP(i.peer.host) === isIP(i.statusListen.host) ? i.statusListen.host : undefined,
    action: i.splitBrainAction,
    notify: i.notifySplitBrain?.argv,
    garpRepeat: i.garpMasterRepeat,
    probes: i.splitBrainProbes,
  }));
}

/** Distinct status_listen addresses (global and per instance). */
export function statusListeners(cfg: VrrpConfig): HostPort[] {
  const all = [cfg.global.statusListen, ...cfg.instances.map((i) => i.statusListen)].filter((x): x is HostPort => x !== undefined);
  return [...new Map(all.map((h) => [formatHostPort(h), h])).values()];
}

export class SplitBrain {
  readonly monitor: SplitBrainMonitor;
  private daemon: VrrpDaemon | undefined;
  private cfg: VrrpConfig;
  private servers: Server[] = [];
  private retry: TimerHandle | undefined;

  constructor(cfg: VrrpConfig, private readonly o: SplitBrainOptions) {
    this.cfg = cfg;
    const send = o.send;
    this.monitor = new SplitBrainMonitor(monitoredInstances(cfg), {
      clock: o.clock,
      log: o.log,
      duplicate: toolDuplicateProbe({ arpingPath: o.arpingPath, ndisc6Path: o.ndisc6Path }),
      pinger: systemPinger(),
      status: gotStatusReader({ timeoutMs: Math.min(800, (o.intervalMs ?? 1000) * 0.8), secret: () => this.cfg.global.statusSecret, wallNow: () => o.clock.wallNow() }),
      garp: o.garp,
      intervalMs: o.intervalMs,
      run: (argvs) => runNotify(o.log, argvs),
      alert: (instance, verdict, reason) => {
        const c = this.cfg.global;
        if (!c.emailalert.length) return;
        send(splitBrainAlert(c.routerId, instance, verdict, reason, { to: c.emailalert, from: c.emailalertfrom, smtp: c.smtp }));
      },
    });
  }

  get observer(): DaemonObserver {
    return this.monitor.observer;
  }

  /**
   * Binds the status listeners; called before the VRRP daemon starts. A listener that
   * cannot bind is fatal at start (StatusListenError): a port held by another process
   * would otherwise answer the peer in our name while we carry on unaware.
   */
  async listen(): Promise<void> {
    for (const at of statusListeners(this.cfg)) {
      try {
        this.servers.push(await this.serve(at));
      } catch (e) {
        this.closeServers();
        throw e;
      }
    }
  }

  /** Starts probing (the listeners are already bound). */
  start(daemon: VrrpDaemon): void {
    this.daemon = daemon;
    this.monitor.bind({
      view: (name) => {
        const m = daemon.machine(name);
        return m && { state: m.state, effectivePriority: effectivePriority(m), address: m.params.primaryIp };
      },
      holdFault: (name, hold) => daemon.holdFault(name, hold),
    });
    this.monitor.start();
  }

  /**
   * HUP. New listeners that cannot bind are not fatal (the running node keeps its VIPs):
   * logged, mailed once, and retried every LISTEN_RETRY_MS until they bind.
   */
  async reload(cfg: VrrpConfig): Promise<void> {
    const oldListen = statusListeners(this.cfg).map(formatHostPort).join(',');
    this.cfg = cfg;
    this.monitor.reload(monitoredInstances(cfg));
    if (statusListeners(cfg).map(formatHostPort).join(',') !== oldListen || this.retry) {
      this.closeServers();
      await this.bindWithRetry(true);
    }
  }

  stop(): void {
    this.monitor.stop();
    this.closeServers();
  }

  private async bindWithRetry(first: boolean): Promise<void> {
    this.retry = undefined;
    const bound = new Set(this.servers.map((s) => s.listening && formatAddress(s)));
    let failed = false;
    for (const at of statusListeners(this.cfg)) {
      if (bound.has(formatHostPort(at))) continue;
      try {
        this.servers.push(await this.serve(at));
      } catch (e) {
        failed = true;
        if (!first) continue;
        const msg = `${(e as Error).message}; retrying every ${LISTEN_RETRY_MS / 1000} s`;
        this.o.log.error(msg);
        const g = this.cfg.global;
        if (g.emailalert.length && e instanceof StatusListenError) {
          this.o.send(statusListenAlert(g.routerId, formatHostPort(at), msg, { to: g.emailalert, from: g.emailalertfrom, smtp: g.smtp }));
        }
      }
    }
    if (failed) this.retry = this.o.clock.setTimeout(() => void this.bindWithRetry(false), LISTEN_RETRY_MS);
  }

  private async serve(at: HostPort): Promise<Server> {
    const srv = await serveStatusDocument(at, { document: () => this.document(), secret: () => this.cfg.global.statusSecret, wallNow: () => this.o.clock.wallNow() });
    this.o.log.info(`Serving VRRP status for the peer on http://${formatHostPort(at)}/vrrp/status`);
    return srv;
  }

  /** The document served on status_listen. */
  document(): StatusDocument {
    const d = this.daemon;
    return {
      program: 'haldir-vrrp',
      routerId: this.cfg.global.routerId,
      instances: (d?.status() ?? []).map((s) => {
        const m = d?.machine(s.name);
        return {
          name: s.name,
          vrid: s.vrid,
          family: m?.params.family ?? 4,
          state: s.state,
          priority: s.priority,
          effectivePriority: s.effectivePriority,
          address: m?.params.primaryIp ?? '',
          splitBrain: this.monitor.phase(s.name),
        };
      }),
    };
  }

  /** status -v rows with the split-brain state attached. */
  decorate(instances: readonly InstanceStatus[]): InstanceStatusWithSplitBrain[] {
    return instances.map((i) => ({ ...i, splitBrain: this.monitor.status(i.name) }));
  }

  private closeServers(): void {
    if (this.retry) this.o.clock.clearTimeout(this.retry);
    this.retry = undefined;
    for (const s of this.servers) {
      s.close();
      s.closeAllConnections();
    }
    this.servers = [];
  }
}

/** The HostPort text of a bound server (as formatHostPort writes it). */
function formatAddress(s: Server): string {
  const a = s.address();
  return a && typeof a === 'object' ? formatHostPort({ host: a.address, port: a.port }) : '';
}

/** One line per instance in split brain, for `haldir-vrrp status -v`. */
export function formatSplitBrainLines(instances: readonly InstanceStatusWithSplitBrain[]): string {
  const lines = instances
    .filter((i) => i.splitBrain)
    .map((i) => {
      const sb = i.splitBrain!;
      const head = `${i.name}: split brain ${sb.phase === 'none' ? 'none' : sb.phase.toUpperCase()}`;
      const extra = [sb.since && `since ${sb.since}`, sb.evidence && `evidence: ${sb.evidence}`, `action ${sb.action}`, sb.peer && `peer ${sb.peer}`, sb.channel && `status channel ${sb.channel}`].filter(Boolean);
      return `${head} (${extra.join('; ')})`;
    });
  return lines.length ? lines.join('\n') + '\n' : '';
}
