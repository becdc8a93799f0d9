// The haldir-vrrp runtime: one pure machine per vrrp_instance, driven by an injected
// Clock, fed by one raw socket per (interface, family), and an executor that turns
// the machine's actions into adverts, `ip addr`, gratuitous ARP/NA, notify scripts,
// ipvsadm sync-daemon commands and e-mails. Side effects that may be slow (ip,
// scripts) run on per-instance promise chains and never delay the protocol timers.

import { AUTH_NONE, AUTH_PASS, encodeAdvert, passAuthData } from './codec.js';
import type { Advert } from './codec.js';
import { DropCounters, routePacket } from './admit.js';
import type { DropReason, ReceivedPacket } from './admit.js';
import { LogThrottle } from './log-throttle.js';
import { effectivePriority, initialState, nextWake, step } from './machine.js';
import type { Action, MachineEvent, MachineState } from './machine.js';
import { vipAddress } from './instance.js';
import type { InstanceParams, VrrpState } from './instance.js';
import { groupStateAfter, initialGroupState, syncFollowers } from './sync-group.js';
import type { GroupState } from './sync-group.js';
import { notifyCommands, runNotify } from './notify.js';
import { lvsSyncCommands, runLvsSync } from './lvs-sync.js';
import { transitionAlert } from './alert.js';
import type { AlertSink } from './alert.js';
import { InterfaceTracker, ScriptTracker } from './track.js';
import type { VipOps } from './vip.js';
import type { GarpSender } from './garp.js';
import type { DaemonConfig, InstanceRuntimeConfig } from './from-config.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';

/** What the daemon needs from a socket; VrrpTransport implements it. */
export interface PacketPort {
  on(ev: 'packet', fn: (p: ReceivedPacket) => void): unknown;
  on(ev: 'malformed', fn: (reason: string) => void): unknown;
  on(ev: 'error', fn: (e: Error) => void): unknown;
  send(message: Buffer, dst: string, src?: string): Promise<void>;
  close(): void;
}

export interface PortSpec {
  family: 4 | 6;
  ifname: string;
  primaryIp: string;
  multicast: boolean;
  group: string;
}

/**
 * Read-only taps for the split-brain monitor (src/splitbrain/): it sees every admitted
 * advert (in any state, FAULT included) and every state change, without touching the machine.
 */
export interface DaemonObserver {
  advert?(instance: string, src: string, advert: Advert): void;
  transition?(instance: string, from: VrrpState, to: VrrpState): void;
}

/** The synthetic weight-0 track item that holds an instance in FAULT (split_brain_action = yield). */
export const SPLIT_BRAIN_HOLD = '__split_brain_yield__';

export interface DaemonDeps {
  clock: Clock;
  log: Logger;
  openPort(spec: PortSpec): PacketPort;
  vips: VipOps;
  garp: GarpSender;
  alerts?: AlertSink;
  ipvsadmPath?: string;
  notifyTimeoutMs?: number;
  observer?: DaemonObserver;
}

export interface InstanceStatus {
  name: string;
  state: VrrpState;
  priority: number;
  effectivePriority: number;
  vrid: number;
  interface: string;
  master?: string;
  masterPriority?: number;
  lastTransition?: { from: VrrpState; to: VrrpState; at: string };
  drops: Record<string, number>;
}

interface Runner {
  cfg: InstanceRuntimeConfig;
  state: MachineState;
  timer?: TimerHandle;
  chain: Promise<void>;
  drops: DropCounters;
  portKey: string;
  /** Wall-clock time of the last transition, for status (stable across queries). */
  lastTransitionWall?: number;
}

const portKeyOf = (p: InstanceParams): string => `${p.interface}|${p.family}`;

/** Summary wording for drop reasons that log a line per packet (see LogThrottle). */
const REPEAT_WHAT: Partial<Record<DropReason, string>> = {
  'bad-ttl': 'adverts with a bad TTL',
  'wrong-destination': 'adverts not sent to the VRRP group',
  'bad-auth-type': 'adverts with a wrong auth type',
  'bad-passwd': 'adverts with a bad password',
  'interval-mismatch': 'adverts with another advert interval',
};

export class VrrpDaemon {
  private readonly runners = new Map<string, Runner>();
  private readonly ports = new Map<string, { port: PacketPort; drops: DropCounters }>();
  private readonly throttle: LogThrottle;
  private scriptTrackers: ScriptTracker[] = [];
  private ifTrackers: InterfaceTracker[] = [];
  private cfg: DaemonConfig;
  private stopping = false;
  /** Each sync group's own state, whose changes run the group's notify scripts. */
  private readonly groupStates = new Map<string, GroupState>();
  /** While the members start: groups whose state changed, notified once all have started. */
  private startingGroups: Set<string> | undefined;

  constructor(
    config: DaemonConfig,
    private readonly deps: DaemonDeps,
  ) {
    this.cfg = config;
    this.throttle = new LogThrottle(deps.clock, (level, line) => deps.log[level](line));
  }

  start(): void {
    for (const ic of this.cfg.instances) this.addRunner(ic);
    for (const g of this.cfg.syncGroups) {
      const initial = initialGroupState(g.instances.map((n) => this.runners.get(n)?.cfg.params.initialState ?? 'BACKUP'));
      if (initial) this.groupStates.set(g.name, initial);
    }
    this.syncPorts();
    this.startTrackers();
    // keepalived vrrp_init_state(): a group starting BACKUP or FAULT is notified once, in the
    // state its members start in together, not member by member.
    this.startingGroups = new Set();
    for (const r of this.runners.values()) this.dispatch(r, { type: 'start' });
    const started = this.startingGroups;
    this.startingGroups = undefined;
    for (const g of this.cfg.syncGroups) {
      const state = this.groupStates.get(g.name);
      if (started.has(g.name) && state) this.runGroupNotify(g, state, Promise.resolve());
    }
  }

  /** HUP: apply a new config without a needless failover (state kept per instance name). */
  reload(config: DaemonConfig): void {
    const old = this.cfg;
    this.cfg = config;
    const names = new Set(config.instances.map((i) => i.params.name));
    for (const [name, r] of this.runners) {
      if (!names.has(name)) {
        this.dispatch(r, { type: 'shutdown' });
        if (r.timer) this.deps.clock.clearTimeout(r.timer);
        this.runners.delete(name);
      }
    }
    // A group that is gone forgets its state; a new one notifies its first transition.
    for (const name of [...this.groupStates.keys()]) {
      if (!config.syncGroups.some((g) => g.name === name)) this.groupStates.delete(name);
    }
    const fresh: Runner[] = [];
    for (const ic of config.instances) {
      const r = this.runners.get(ic.params.name);
      if (r) {
        r.cfg = ic;
        r.portKey = portKeyOf(ic.params);
      } else fresh.push(this.addRunner(ic));
    }
    this.syncPorts(true); // a missing interface is retried, never half-applies a reload
    for (const ic of config.instances) {
      const r = this.runners.get(ic.params.name)!;
      if (!fresh.includes(r)) this.dispatch(r, { type: 'reconfigure', params: ic.params });
    }
    this.stopTrackers();
    this.startTrackers();
    for (const r of fresh) this.dispatch(r, { type: 'start' });
    this.deps.log.info(`Reloaded configuration: ${config.instances.length} instance(s) (was ${old.instances.length})`);
  }

  /** TERM: priority 0 from every master, VIPs removed, sockets closed. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.stopTrackers();
    if (this.portRetry) this.deps.clock.clearTimeout(this.portRetry);
    for (const r of this.runners.values()) {
      this.dispatch(r, { type: 'shutdown' });
      if (r.timer) this.deps.clock.clearTimeout(r.timer);
    }
    await Promise.all([...this.runners.values()].map((r) => r.chain));
    this.throttle.flush();
    // keepalived notify_shutdown(): every instance's STOP, then every group's.
    for (const g of this.cfg.syncGroups) {
      const cmds = notifyCommands(g.notify ?? {}, g.name, 'STOP', 0, 'GROUP');
      if (cmds.length) void runNotify(this.deps.log, cmds, this.deps.notifyTimeoutMs);
    }
    for (const p of this.ports.values()) p.port.close();
    this.ports.clear();
  }

  status(): InstanceStatus[] {
    return [...this.runners.values()].map((r) => {
      const s = r.state;
      const lt = s.lastTransition;
      return {
        name: s.params.name,
        state: s.state,
        priority: s.params.priority,
        effectivePriority: effectivePriority(s),
        vrid: s.params.vrid,
        interface: s.params.interface,
        master: s.masterAddress,
        masterPriority: s.masterPriority,
        lastTransition: lt ? { from: lt.from, to: lt.to, at: new Date(r.lastTransitionWall ?? this.deps.clock.wallNow()).toISOString() } : undefined,
        drops: { ...r.drops.toJSON(), ...(this.ports.get(r.portKey)?.drops.toJSON() ?? {}) },
      };
    });
  }

  /**
   * Split brain, yield: hold the instance in FAULT (VIPs removed, priority-0 advert sent),
   * exactly as a failing weight-0 track_script would; release it to BACKUP. A reload
   * (HUP) releases it too. Returns false when nothing changed.
   */
  holdFault(name: string, hold: boolean): boolean {
    const r = this.runners.get(name);
    if (!r || this.stopping || r.state.stopped) return false;
    const p = r.state.params;
    if (p.trackScripts.some((t) => t.name === SPLIT_BRAIN_HOLD) === hold) return false;
    const trackScripts = hold ? [...p.trackScripts, { name: SPLIT_BRAIN_HOLD, weight: 0 }] : p.trackScripts.filter((t) => t.name !== SPLIT_BRAIN_HOLD);
    this.dispatch(r, { type: 'reconfigure', params: { ...p, trackScripts } });
    if (hold) this.dispatch(r, { type: 'track', kind: 'script', name: SPLIT_BRAIN_HOLD, ok: false });
    return true;
  }

  /** For tests: the machine state of an instance. */
  machine(name: string): MachineState | undefined {
    return this.runners.get(name)?.state;
  }

  private addRunner(ic: InstanceRuntimeConfig): Runner {
    const r: Runner = {
      cfg: ic,
      state: initialState(ic.params),
      chain: Promise.resolve(),
      drops: new DropCounters(),
      portKey: portKeyOf(ic.params),
    };
    this.runners.set(ic.params.name, r);
    return r;
  }

  /**
   * Opens a socket for every (interface, family) in use and closes unused ones. With
   * `tolerant`, an open that fails (interface gone) is logged and retried in 1 s
   * rather than thrown: a socket error must not leave an instance deaf for good.
   */
  private syncPorts(tolerant = false): void {
    const wanted = new Map<string, Runner[]>();
    for (const r of this.runners.values()) wanted.set(r.portKey, [...(wanted.get(r.portKey) ?? []), r]);
    for (const [key, p] of this.ports) {
      if (!wanted.has(key)) {
        p.port.close();
        this.ports.delete(key);
      }
    }
    for (const [key, rs] of wanted) {
      if (this.ports.has(key)) continue;
      const first = rs[0]!.cfg;
      let port: PacketPort;
      try {
        port = this.deps.openPort({
          family: first.params.family,
          ifname: first.params.interface,
          primaryIp: first.params.primaryIp,
          multicast: rs.some((r) => r.cfg.params.unicastPeers.length === 0),
          group: first.mcastGroup,
        });
      } catch (e) {
        if (!tolerant) throw e;
        this.deps.log.error(`VRRP-SOCKET: ${key}: ${(e as Error).message}; retrying in 1 s`);
        this.retryPortsSoon();
        continue;
      }
      const drops = new DropCounters();
      const group = first.mcastGroup;
      port.on('packet', (p) => this.onPacket(key, p, drops, group));
      port.on('malformed', (reason) => drops.add(reason as Parameters<DropCounters['add']>[0]));
      port.on('error', (e) => {
        // A receive error: close the socket and open a fresh one.
        this.deps.log.error(`VRRP-SOCKET: ${key}: ${e.message}; reopening in 1 s`);
        if (this.ports.get(key)?.port === port) this.ports.delete(key);
        port.close();
        this.retryPortsSoon();
      });
      this.ports.set(key, { port, drops });
    }
  }

  private portRetry: TimerHandle | undefined;

  private retryPortsSoon(): void {
    if (this.portRetry || this.stopping) return;
    this.portRetry = this.deps.clock.setTimeout(() => {
      this.portRetry = undefined;
      if (!this.stopping) this.syncPorts(true);
    }, 1000);
  }

  private onPacket(key: string, p: ReceivedPacket, portDrops: DropCounters, group: string): void {
    if (this.stopping) return;
    const rs = [...this.runners.values()].filter((r) => r.portKey === key);
    const routed = routePacket(
      rs.map((r) => r.state.params),
      p,
      group,
    );
    if (!routed.ok) {
      const r = routed.instance ? this.runners.get(routed.instance) : undefined;
      (r ? r.drops : portDrops).add(routed.reason);
      if (routed.log && routed.instance) {
        const what = REPEAT_WHAT[routed.reason] ?? `adverts dropped as ${routed.reason}`;
        this.throttle.note({ instance: routed.instance, reason: routed.reason, src: p.src, level: 'warn', line: routed.log, what });
      } else if (routed.log) this.deps.log.warn(routed.log);
      return;
    }
    const r = this.runners.get(routed.instance)!;
    this.deps.observer?.advert?.(routed.instance, routed.src, routed.advert);
    this.dispatch(r, { type: 'advert', src: routed.src, advert: routed.advert });
  }

  private startTrackers(): void {
    const scriptsUsed = new Set(this.cfg.instances.flatMap((i) => i.params.trackScripts.map((t) => t.name)));
    for (const spec of this.cfg.scripts) {
      if (!scriptsUsed.has(spec.name)) continue;
      const t = new ScriptTracker(spec, this.deps.clock, (name, ok) => this.broadcastTrack('script', name, ok));
      this.scriptTrackers.push(t);
      t.start();
    }
    const ifs = new Set(this.cfg.instances.flatMap((i) => i.params.trackInterfaces.map((t) => t.name)));
    for (const ifname of ifs) {
      const t = new InterfaceTracker(ifname, this.deps.clock, (name, ok) => this.broadcastTrack('interface', name, ok));
      this.ifTrackers.push(t);
      if (!t.isUp) this.broadcastTrack('interface', ifname, false);
      t.start();
    }
  }

  private stopTrackers(): void {
    for (const t of this.scriptTrackers) t.stop();
    for (const t of this.ifTrackers) t.stop();
    this.scriptTrackers = [];
    this.ifTrackers = [];
  }

  private broadcastTrack(kind: 'script' | 'interface', name: string, ok: boolean): void {
    this.deps.log.info(kind === 'script' ? `Script \`${name}\` now returning ${ok ? 0 : 1}` : `Netlink reports ${name} ${ok ? 'up' : 'down'}`);
    for (const r of this.runners.values()) {
      const tracked = kind === 'script' ? r.state.params.trackScripts : r.state.params.trackInterfaces;
      if (tracked.some((t) => t.name === name)) this.dispatch(r, { type: 'track', kind, name, ok });
    }
  }

  private dispatch(r: Runner, ev: MachineEvent): void {
    const res = step(r.state, ev, this.deps.clock.now());
    r.state = res.state;
    for (const a of res.actions) this.execute(r, a);
    this.schedule(r);
  }

  private schedule(r: Runner): void {
    if (r.timer) this.deps.clock.clearTimeout(r.timer);
    r.timer = undefined;
    const at = nextWake(r.state);
    if (at === undefined) return;
    r.timer = this.deps.clock.setTimeout(() => {
      r.timer = undefined;
      this.dispatch(r, { type: 'tick' });
    }, at - this.deps.clock.now());
  }

  private enqueue(r: Runner, fn: () => Promise<void>): void {
    r.chain = r.chain.then(fn).catch((e: unknown) => this.deps.log.error(`VRRP-ACTION: (${r.state.params.name}) ${(e as Error).message}`));
  }

  private execute(r: Runner, a: Action): void {
    const p = r.state.params;
    switch (a.type) {
      case 'log':
        if (a.repeat) {
          r.drops.add(a.repeat.reason);
          this.throttle.note({ instance: p.name, level: a.level, line: a.msg, ...a.repeat });
        } else this.deps.log[a.level](a.msg);
        break;
      case 'send-advert':
        this.sendAdvert(r, a.priority);
        break;
      case 'add-vips':
        this.enqueue(r, async () => {
          for (const v of a.vips) await this.deps.vips.add(v, p.interface);
        });
        break;
      case 'remove-vips':
        this.enqueue(r, async () => {
          for (const v of a.vips) await this.deps.vips.remove(v, p.interface);
        });
        break;
      case 'send-garp': {
        const vips = [...p.vips, ...p.excludedVips];
        // keepalived's wording, one line per VIP.
        for (const v of vips) {
          const what = vipAddress(v).includes(':') ? 'Unsolicited Neighbour Adverts' : 'gratuitous ARPs';
          this.deps.log.info(`(${p.name}) Sending/queueing ${what} on ${v.dev ?? p.interface} for ${vipAddress(v)}`);
        }
        // After the VIPs are on the interface; announcing never delays a later removal.
        void r.chain.then(() => Promise.all(vips.map((v) => this.deps.garp.announce(vipAddress(v), v.dev ?? p.interface, a.count))));
        break;
      }
      case 'notify': {
        const cmds = notifyCommands(r.cfg.notify, p.name, a.state, a.priority);
        // After the VIP change has been applied, but never blocking the chain.
        if (cmds.length) r.chain.then(() => void runNotify(this.deps.log, cmds, this.deps.notifyTimeoutMs));
        break;
      }
      case 'mail':
        if (r.cfg.smtpAlert && this.deps.alerts && this.cfg.emails.length) {
          this.deps.alerts.send(transitionAlert(this.cfg.routerId, p.name, a.state, this.cfg.emails, this.deps.clock.wallNow()));
        }
        break;
      case 'want-master': {
        const group = this.cfg.syncGroups.find((g) => g.instances.includes(p.name));
        const members = (group?.instances ?? [p.name]).map((n) => this.runners.get(n)).filter((x): x is Runner => !!x);
        if (members.every((m) => m.state.state === 'MASTER' || m.state.wantMaster || m === r)) {
          for (const m of members) {
            if (m.state.state !== 'MASTER') queueMicrotask(() => this.dispatch(m, { type: 'sync', to: 'MASTER' }));
          }
        }
        break;
      }
      case 'transition': {
        r.lastTransitionWall = this.deps.clock.wallNow();
        this.deps.observer?.transition?.(p.name, a.from, a.to);
        if (r.cfg.lvsSyncInterface && a.to !== a.from) {
          const cmds = lvsSyncCommands(this.deps.ipvsadmPath ?? 'ipvsadm', r.cfg.lvsSyncInterface, a.to);
          this.enqueue(r, () => runLvsSync(this.deps.log, cmds));
        }
        for (const f of syncFollowers(this.cfg.syncGroups, { instance: p.name, to: a.to, fromSync: a.fromSync })) {
          const other = this.runners.get(f.instance);
          // Deferred: the follower steps after this instance's actions are all out.
          if (other) queueMicrotask(() => this.dispatch(other, f.event));
        }
        this.groupMemberMoved(r, a.to);
        break;
      }
    }
  }

  /** A member's transition may change its sync group's state: run the group's notify scripts then. */
  private groupMemberMoved(r: Runner, to: VrrpState): void {
    const name = r.state.params.name;
    for (const g of this.cfg.syncGroups) {
      if (!g.instances.includes(name)) continue;
      const members = g.instances.map((n) => this.runners.get(n)?.state.state ?? 'INIT');
      const next = groupStateAfter(this.groupStates.get(g.name), members, to);
      if (next === undefined) continue;
      this.groupStates.set(g.name, next);
      if (this.startingGroups) this.startingGroups.add(g.name);
      // After this member's VIP change, like its own notify.
      else this.runGroupNotify(g, next, r.chain);
    }
  }

  private runGroupNotify(g: DaemonConfig['syncGroups'][number], state: GroupState, after: Promise<void>): void {
    const cmds = notifyCommands(g.notify ?? {}, g.name, state, 0, 'GROUP');
    // never blocking the chain it follows
    if (cmds.length) after.then(() => void runNotify(this.deps.log, cmds, this.deps.notifyTimeoutMs));
  }

  private sendAdvert(r: Runner, priority: number): void {
    const p = r.state.params;
    const port = this.ports.get(r.portKey);
    if (!port) return;
    const advert: Advert = {
      version: p.version,
      vrid: p.vrid,
      priority,
      intervalCs: p.intervalCs,
      addresses: p.vips.map(vipAddress),
    };
    if (p.version === 2) {
      advert.authType = p.authPass !== undefined ? AUTH_PASS : AUTH_NONE;
      advert.authData = p.authPass !== undefined ? passAuthData(p.authPass) : Buffer.alloc(8);
    }
    const dsts = p.unicastPeers.length ? p.unicastPeers : [r.cfg.mcastGroup];
    for (const dst of dsts) {
      const bytes = encodeAdvert(advert, { family: p.family, src: p.family === 4 ? p.primaryIp : undefined, dst: p.family === 4 ? dst : undefined });
      port.port.send(bytes, dst, p.family === 4 ? p.primaryIp : undefined).catch((e: Error) => this.deps.log.error(`VRRP-SEND: (${p.name}) advert to ${dst} failed: ${e.message}`));
    }
  }
}
