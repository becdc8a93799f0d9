// Wiring split-brain detection into a haldir-vrrp process: the monitored instances from
// vrrp.cf, the real probes (arping/ndisc6, ping, got), alerts through the process's one
// alerting path (src/vrrp/mail-sink.ts), the
// status_listen endpoints, and the status -v decoration. src/vrrp/service.ts calls
// createSplitBrain() before building the VrrpDaemon (it needs the observer) and bind()
// after.

import type { Server } from 'node:http';
import { isIP } from 'node:net';
import { splitBrainAlert } from '../alerts/generic.js';
import type { AlertMessage } from '../alerts/message.js';
import { runNotify } from '../vrrp/notify.js';
import { effectivePriority } from '../vrrp/machine.js';
import type { VrrpDaemon, DaemonObserver, InstanceStatus } from '../vrrp/daemon.js';
import type { GarpSender } from '../vrrp/garp.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { HostPort, VrrpConfig } from '../vrrp-config/model.js';
import { SplitBrainMonitor } from './monitor.js';
import type { MonitoredInstance, SplitBrainStatus } from './monitor.js';
import { toolDuplicateProbe } from './duplicate-probe.js';
import { systemPinger } from './ping-probe.js';
import { gotStatusReader } from './status-client.js';
import { formatHostPort, serveStatusDocument } from './status-server.js';
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

  constructor(cfg: VrrpConfig, private readonly o: SplitBrainOptions) {
    this.cfg = cfg;
    const send = o.send;
    this.monitor = new SplitBrainMonitor(monitoredInstances(cfg), {
      clock: o.clock,
      log: o.log,
      duplicate: toolDuplicateProbe({ arpingPath: o.arpingPath, ndisc6Path: o.ndisc6Path }),
      pinger: systemPinger(),
      status: gotStatusReader(Math.min(800, (o.intervalMs ?? 1000) * 0.8)),
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

  /** Starts probing and the status listeners; a listener that cannot bind is logged, not fatal. */
  async start(daemon: VrrpDaemon): Promise<void> {
    this.daemon = daemon;
    this.monitor.bind({
      view: (name) => {
        const m = daemon.machine(name);
        return m && { state: m.state, effectivePriority: effectivePriority(m), address: m.params.primaryIp };
      },
      holdFault: (name, hold) => daemon.holdFault(name, hold),
    });
    this.monitor.start();
    await this.listen();
  }

  async reload(cfg: VrrpConfig): Promise<void> {
    const oldListen = statusListeners(this.cfg).map(formatHostPort).join(',');
    this.cfg = cfg;
    this.monitor.reload(monitoredInstances(cfg));
    if (statusListeners(cfg).map(formatHostPort).join(',') !== oldListen) {
      this.closeServers();
      await this.listen();
    }
  }

  stop(): void {
    this.monitor.stop();
    this.closeServers();
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

  private async listen(): Promise<void> {
    for (const at of statusListeners(this.cfg)) {
      try {
        this.servers.push(await serveStatusDocument(at, () => this.document()));
        this.o.log.info(`Serving VRRP status for the peer on http://${formatHostPort(at)}/vrrp/status`);
      } catch (e) {
        this.o.log.error((e as Error).message);
      }
    }
  }

  private closeServers(): void {
    for (const s of this.servers) {
      s.close();
      s.closeAllConnections();
    }
    this.servers = [];
  }
}

/** One line per instance in split brain, for `haldir-vrrp status -v`. */
export function formatSplitBrainLines(instances: readonly InstanceStatusWithSplitBrain[]): string {
  const lines = instances
    .filter((i) => i.splitBrain)
    .map((i) => {
      const sb = i.splitBrain!;
      const head = `${i.name}: split brain ${sb.phase === 'none' ? 'none' : sb.phase.toUpperCase()}`;
      const extra = [sb.since && `since ${sb.since}`, sb.evidence && `evidence: ${sb.evidence}`, `action ${sb.action}`, sb.peer && `peer ${sb.peer}`].filter(Boolean);
      return `${head} (${extra.join('; ')})`;
    });
  return lines.length ? lines.join('\n') + '\n' : '';
}
