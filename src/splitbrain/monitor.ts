// The split-brain monitor: runs the probes of every vrrp_instance on the injected Clock,
// feeds their results and the daemon's taps (adverts, transitions) to the pure detector
// (detector.ts), and carries out the reactions: log, mail, notify_split_brain, the
// split_brain_action (alert | yield | script:), and the gratuitous ARPs of the node that
// keeps the VIPs once it is over (keepalived issues #166/#1528: without them clients
// keep the loser's MAC). Probes run concurrently within a round and never block VRRP.

import type { Advert } from '../vrrp/codec.js';
import { canonicalAddress } from '../vrrp/codec.js';
import type { DaemonObserver } from '../vrrp/daemon.js';
import type { GarpSender } from '../vrrp/garp.js';
import type { VrrpState } from '../vrrp/instance.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { HostPort, SplitBrainAction, SplitBrainProbe } from '../vrrp-config/model.js';
import { decide, describeEvidence, detectorParams, initialDetector } from './detector.js';
import type { DetectorEvent, DetectorState, Observation, PeerReport } from './detector.js';
import { losesElection } from './election.js';
import type { Contender } from './election.js';
import type { DuplicateProbe } from './duplicate-probe.js';
import type { PeerPinger } from './ping-probe.js';
import type { PeerStatusReader } from './status-client.js';
import { reportFor } from './status-document.js';
import type { PeerStatus, SplitBrainPhase } from './status-document.js';
import { formatHostPort } from './status-server.js';

export interface MonitoredInstance {
  readonly name: string;
  readonly vrid: number;
  readonly family: 4 | 6;
  readonly advertIntervalMs: number;
  /** VIP addresses (no prefix) with the device they live on. */
  readonly vips: readonly { readonly address: string; readonly dev: string }[];
  readonly peer: HostPort | undefined;
  /** Our own address to reach the peer from (status_listen's, when of the peer's family). */
  readonly localAddress?: string;
  readonly action: SplitBrainAction;
  /** notify_split_brain argv; run as `CMD INSTANCE DETECTED|RESOLVED`. */
  readonly notify: readonly string[] | undefined;
  /** GARPs per VIP when split brain is over (garp_master_repeat). */
  readonly garpRepeat: number;
  /** split_brain_probes: which probes run (default all of them). */
  readonly probes?: readonly SplitBrainProbe[];
}

function probing(cfg: MonitoredInstance, p: SplitBrainProbe): boolean {
  return cfg.probes === undefined || cfg.probes.includes(p);
}

/** What the monitor reads from and does to the VRRP daemon. */
export interface DaemonControl {
  view(name: string): { state: VrrpState; effectivePriority: number; address: string } | undefined;
  holdFault(name: string, hold: boolean): boolean;
}

export interface MonitorDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly duplicate: DuplicateProbe;
  readonly pinger: PeerPinger;
  readonly status: PeerStatusReader;
  readonly garp: GarpSender;
  /** Mail (through the shared mailer); verdict 'suspected' on detection. */
  readonly alert?: (instance: string, verdict: 'suspected' | 'resolved', reason: string) => void;
  /** Runs notify_split_brain and script: actions (never awaited by the probes). */
  readonly run: (argvs: string[][]) => Promise<void>;
  /** One probe round every this many ms (default 1000). */
  readonly intervalMs?: number;
}

export interface SplitBrainStatus {
  readonly phase: SplitBrainPhase;
  readonly since?: string;
  readonly evidence?: string;
  readonly action: string;
  readonly peer?: string;
  /** The status channel's last verdict: authenticated, unauthenticated (why), unreachable... */
  readonly channel?: string;
}

interface Runner {
  cfg: MonitoredInstance;
  det: DetectorState;
  phase: SplitBrainPhase;
  since?: number;
  evidence?: string;
  timer?: TimerHandle;
  busy: boolean;
  arpBusy: boolean;
  peerReport?: PeerReport;
  /** While yielded: when the peer's adverts were last heard, and rounds in a row with them. */
  lastPeerAdvertAt?: number;
  advertRounds: number;
  /** While yielded: rounds in a row in which nobody else held the VIP. */
  vacantRounds: number;
  /** The last probe error logged (logged once, not every round, until the probe works again). */
  probeError?: string;
  /** The status channel's last verdict (status -v), and the one last logged. */
  channel?: string;
  /**
   * yield was asked for but could not be decided yet: no evidence on the wire (status
   * channel only) or the peer's priority unknown (ARP evidence only). Decided again
   * after every round; `yieldWait` is the reason last logged (logged once).
   */
  yieldPending?: boolean;
  yieldWait?: string;
}

/** Rounds in a row a release condition must hold before a yielded node comes back. */
const RELEASE_ROUNDS = 2;

export class SplitBrainMonitor {
  private readonly runners = new Map<string, Runner>();
  private control: DaemonControl | undefined;
  private stopped = true;
  private readonly intervalMs: number;

  constructor(
    instances: readonly MonitoredInstance[],
    private readonly deps: MonitorDeps,
  ) {
    this.intervalMs = deps.intervalMs ?? 1000;
    for (const i of instances) this.runners.set(i.name, this.newRunner(i));
  }

  /** The taps to hand to the VrrpDaemon (DaemonDeps.observer). */
  readonly observer: DaemonObserver = {
    advert: (instance, src, advert) => this.onAdvert(instance, src, advert),
    // Deferred: the daemon is still executing the transition's actions.
    transition: (instance, from, to) => queueMicrotask(() => this.onTransition(instance, from, to)),
  };

  bind(control: DaemonControl): void {
    this.control = control;
  }

  start(): void {
    this.stopped = false;
    for (const r of this.runners.values()) this.schedule(r, 0);
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.runners.values()) if (r.timer) this.deps.clock.clearTimeout(r.timer);
  }

  /** HUP: new instance settings; the verdicts of instances kept by name carry over. */
  reload(instances: readonly MonitoredInstance[]): void {
    const names = new Set(instances.map((i) => i.name));
    for (const [name, r] of this.runners) {
      if (names.has(name)) continue;
      if (r.timer) this.deps.clock.clearTimeout(r.timer);
      this.runners.delete(name);
    }
    for (const i of instances) {
      const r = this.runners.get(i.name);
      if (r) {
        r.cfg = i;
        // The daemon's reload releases a held FAULT (fresh params); follow it.
        if (r.phase === 'yielded') this.release(r, 'configuration reloaded');
      } else {
        const fresh = this.newRunner(i);
        this.runners.set(i.name, fresh);
        if (!this.stopped) this.schedule(fresh, 0);
      }
    }
  }

  status(name: string): SplitBrainStatus | undefined {
    const r = this.runners.get(name);
    if (!r) return undefined;
    const wall = (t: number): string => new Date(this.deps.clock.wallNow() - (this.deps.clock.now() - t)).toISOString();
    return {
      phase: r.phase,
      since: r.since !== undefined ? wall(r.since) : undefined,
      evidence: r.evidence,
      action: r.cfg.action.kind === 'script' ? `script:${r.cfg.action.command.raw}` : r.cfg.action.kind,
      peer: r.cfg.peer ? formatHostPort(r.cfg.peer) : undefined,
      channel: r.cfg.peer && probing(r.cfg, 'status') ? r.channel : undefined,
    };
  }

  phase(name: string): SplitBrainPhase {
    return this.runners.get(name)?.phase ?? 'none';
  }

  private newRunner(cfg: MonitoredInstance): Runner {
    return {
      cfg,
      det: initialDetector(detectorParams(cfg.name, cfg.advertIntervalMs)),
      phase: 'none',
      busy: false,
      arpBusy: false,
      advertRounds: 0,
      vacantRounds: 0,
    };
  }

  private view(r: Runner): ReturnType<DaemonControl['view']> {
    return this.control?.view(r.cfg.name);
  }

  private feed(r: Runner, obs: Observation): void {
    const res = decide(r.det, obs, this.deps.clock.now());
    r.det = res.state;
    for (const e of res.events) this.react(r, e);
  }

  private onAdvert(instance: string, src: string, advert: Advert): void {
    const r = this.runners.get(instance);
    const v = r && this.view(r);
    if (!r || !v || advert.priority === 0 || canonicalAddress(src) === canonicalAddress(v.address)) return;
    if (r.phase === 'yielded') r.lastPeerAdvertAt = this.deps.clock.now();
    else if (v.state === 'MASTER' && probing(r.cfg, 'advert')) this.feed(r, { kind: 'advert', src, priority: advert.priority });
  }

  private onTransition(instance: string, from: VrrpState, to: VrrpState): void {
    const r = this.runners.get(instance);
    if (!r || this.stopped) return;
    // From BACKUP to MASTER is the Master_Down timer (RFC 3768 6.4.2): the adverts stopped.
    this.feed(r, { kind: 'local', state: to, byTimeout: from === 'BACKUP' && to === 'MASTER' });
  }

  private schedule(r: Runner, ms: number): void {
    if (r.timer) this.deps.clock.clearTimeout(r.timer);
    r.timer = this.deps.clock.setTimeout(() => {
      r.timer = undefined;
      const started = this.deps.clock.now();
      void this.round(r).finally(() => {
        if (!this.stopped && this.runners.get(r.cfg.name) === r) this.schedule(r, Math.max(0, started + this.intervalMs - this.deps.clock.now()));
      });
    }, ms);
  }

  /** One probe round: status channel, ping, duplicate-address probe, then a tick. */
  private async round(r: Runner): Promise<void> {
    if (r.busy || this.stopped) return;
    r.busy = true;
    try {
      const v = this.view(r);
      if (!v) return;
      const master = v.state === 'MASTER';
      const peer = r.cfg.peer;
      const tasks: Promise<void>[] = [];
      if (peer && probing(r.cfg, 'status')) {
        tasks.push(
          this.deps.status.read(peer, { instance: r.cfg.name, localAddress: r.cfg.localAddress }).then((res) => {
            const before = r.peerReport;
            r.peerReport = this.trustedReport(r, res, v.address);
            // The peer yielded to us, maybe before our own probes confirmed anything: the
            // clients may have its MAC, so announce ours (once per yield).
            if (r.peerReport?.splitBrain === 'yielded' && before?.splitBrain !== 'yielded') this.reannounce(r, `peer ${formatHostPort(peer)} yielded to us`);
            this.feed(r, { kind: 'status', peer: formatHostPort(peer), report: r.peerReport });
          }),
        );
      }
      if (peer && master && probing(r.cfg, 'ping')) {
        tasks.push(this.deps.pinger.alive(peer.host, r.cfg.localAddress).then((alive) => this.feed(r, { kind: 'ping', peer: peer.host, alive })));
      }
      if ((master || r.phase === 'yielded') && probing(r.cfg, 'arp')) tasks.push(this.probeVip(r));
      await Promise.all(tasks);
      this.feed(r, { kind: 'tick' });
      if (r.phase === 'detected' && r.yieldPending) this.maybeYield(r);
      if (r.phase === 'yielded') this.checkRelease(r);
    } catch (e) {
      this.deps.log.error(`SB-PROBE: (${r.cfg.name}) ${(e as Error).message}`);
    } finally {
      r.busy = false;
    }
  }

  /**
   * The peer's report for this instance, only from an authenticated answer (anyone who
   * reaches the port can answer it; docs/splitbrain.md). An answer describing this very
   * node (our own signed document reflected back to us) is refused too. The channel's
   * verdict is logged when it changes, not every round.
   */
  private trustedReport(r: Runner, res: PeerStatus, ownAddress: string): PeerReport | undefined {
    let report: PeerReport | undefined;
    let verdict: string;
    if (res.kind === 'ok') {
      report = reportFor(res.doc, r.cfg);
      verdict = 'authenticated';
      if (report && canonicalAddress(report.address) === canonicalAddress(ownAddress)) {
        report = undefined;
        verdict = 'unauthenticated: the answer describes this node itself (reflected back to us?)';
      } else if (!report) verdict = `authenticated, but the peer has no instance ${r.cfg.name} with VRID ${r.cfg.vrid} (name the instances alike on both nodes)`;
    } else verdict = `${res.kind}: ${res.reason}`;
    const prev = r.channel;
    r.channel = verdict;
    if (verdict !== prev) {
      const what = `(${r.cfg.name}) status channel of peer ${r.cfg.peer ? formatHostPort(r.cfg.peer) : '?'}`;
      if (verdict === 'authenticated') {
        if (prev !== undefined) this.deps.log.info(`${what}: authenticated again`);
      } else if (res.kind === 'unreachable') this.deps.log.info(`SB-STATUS: ${what}: ${verdict}`);
      else this.deps.log.warn(`SB-STATUS: ${what}: ${verdict}; not used as evidence`);
    }
    return report;
  }

  /** Duplicate-address probe of the instance's first VIP (all its VIPs move together). */
  private async probeVip(r: Runner): Promise<void> {
    const vip = r.cfg.vips[0];
    if (!vip || r.arpBusy) return;
    r.arpBusy = true;
    try {
      const res = await this.deps.duplicate.probe(vip.address, vip.dev);
      if (res.error) {
        if (r.probeError !== res.error) this.deps.log.warn(`SB-PROBE: (${r.cfg.name}) duplicate-address probe of ${vip.address} failed: ${res.error}`);
        r.probeError = res.error;
        return;
      }
      if (r.probeError !== undefined) this.deps.log.info(`(${r.cfg.name}) duplicate-address probe of ${vip.address} works again`);
      r.probeError = undefined;
      if (r.phase === 'yielded') {
        const peerMaster = r.peerReport?.state === 'MASTER';
        r.vacantRounds = res.foreignMacs.length === 0 && !peerMaster ? r.vacantRounds + 1 : 0;
      } else this.feed(r, { kind: 'arp', vip: vip.address, foreignMacs: res.foreignMacs });
    } finally {
      r.arpBusy = false;
    }
  }

  private checkRelease(r: Runner): void {
    const now = this.deps.clock.now();
    const heard = r.lastPeerAdvertAt !== undefined && now - r.lastPeerAdvertAt <= Math.max(this.intervalMs, 3 * r.cfg.advertIntervalMs);
    r.advertRounds = heard ? r.advertRounds + 1 : 0;
    if (r.advertRounds >= RELEASE_ROUNDS) this.release(r, "the peer's VRRP adverts are heard again");
    else if (r.vacantRounds >= RELEASE_ROUNDS) this.release(r, `no other node answers for ${r.cfg.vips[0]?.address ?? 'the VIPs'} any more`);
  }

  private react(r: Runner, e: DetectorEvent): void {
    const name = r.cfg.name;
    switch (e.type) {
      case 'probe-now':
        if (!probing(r.cfg, 'arp')) break;
        this.deps.log.info(`(${name}) ${e.reason}: probing the VIPs for a second master now`);
        void this.probeVip(r);
        break;
      case 'detected': {
        const text = describeEvidence(e.evidence);
        r.phase = 'detected';
        r.since = this.deps.clock.now();
        r.evidence = text;
        this.deps.log.warn(`(${name}) split brain detected: ${text}`);
        this.deps.alert?.(name, 'suspected', `(${name}) split brain detected: ${text}`);
        this.runHooks(r, 'DETECTED');
        if (r.cfg.action.kind === 'yield') this.maybeYield(r);
        break;
      }
      case 'reannounce':
        this.reannounce(r, `second master gone before confirmation (${e.reason})`);
        break;
      case 'resolved':
        // A node that yielded left MASTER on purpose; it reports resolution when it comes back.
        if (r.phase === 'yielded') break;
        this.resolved(r, e.reason);
        break;
    }
  }

  private resolved(r: Runner, reason: string): void {
    const name = r.cfg.name;
    r.phase = 'none';
    r.yieldPending = false;
    r.yieldWait = undefined;
    r.since = undefined;
    r.evidence = undefined;
    this.deps.log.info(`(${name}) split brain resolved: ${reason}`);
    this.deps.alert?.(name, 'resolved', `(${name}) split brain resolved: ${reason}`);
    this.runHooks(r, 'RESOLVED');
    this.reannounce(r, 'split brain resolved');
  }

  /** The clients may still have the other node's MAC: announce ours again (#166/#1528). */
  private reannounce(r: Runner, why: string): void {
    if (this.view(r)?.state !== 'MASTER' || !r.cfg.vips.length) return;
    this.deps.log.info(`(${r.cfg.name}) ${why}: re-sending gratuitous ARPs for ${r.cfg.vips.map((v) => v.address).join(' ')}`);
    for (const v of r.cfg.vips) void this.deps.garp.announce(v.address, v.dev, r.cfg.garpRepeat);
  }

  private runHooks(r: Runner, what: 'DETECTED' | 'RESOLVED'): void {
    const argvs: string[][] = [];
    if (r.cfg.notify?.length) argvs.push([...r.cfg.notify, r.cfg.name, what]);
    if (what === 'DETECTED' && r.cfg.action.kind === 'script') argvs.push([...r.cfg.action.command.argv, r.cfg.name, what]);
    if (argvs.length) void this.deps.run(argvs);
  }

  /**
   * split_brain_action = yield: the node that would lose the election steps down. Only on
   * evidence seen on the wire (a duplicate-address answer, a second master's adverts):
   * the status channel alone never takes the VIPs away, so whoever can answer or block
   * it cannot leave the pair without a master.
   */
  private maybeYield(r: Runner): void {
    const name = r.cfg.name;
    const v = this.view(r);
    if (!v) return;
    const evidence = r.det.evidence;
    const wait = (why: string): void => {
      if (r.yieldWait !== why) this.deps.log.warn(`(${name}) split brain: ${why}`);
      r.yieldWait = why;
      r.yieldPending = true;
    };
    if (!evidence.some((x) => x.probe === 'arp' || x.probe === 'advert')) {
      wait(
        probing(r.cfg, 'arp') || probing(r.cfg, 'advert')
          ? 'seen on the status channel only; not yielding until the duplicate-address probe or the second master\'s adverts confirm it on the wire'
          : 'seen on the status channel only, and split_brain_probes has neither arp nor advert: not yielding (alerting only)',
      );
      return;
    }
    const fromEvidence = evidence.find((x) => x.peerAddress !== undefined && x.peerPriority !== undefined);
    const peer: Contender | undefined = fromEvidence
      ? { address: fromEvidence.peerAddress!, priority: fromEvidence.peerPriority! }
      : r.peerReport?.state === 'MASTER'
        ? { address: r.peerReport.address, priority: r.peerReport.priority }
        : undefined;
    if (!peer) {
      wait(
        'cannot tell yet which node must yield without the peer\'s priority' +
          (r.cfg.peer && probing(r.cfg, 'status') ? '; waiting for its authenticated status channel' : '; set peer =, status_listen = and status_secret = on both nodes (alerting only)'),
      );
      return;
    }
    r.yieldPending = false;
    r.yieldWait = undefined;
    const self: Contender = { priority: v.effectivePriority, address: v.address };
    if (!losesElection(self, peer)) {
      this.deps.log.info(`(${name}) split brain: keeping the VIPs; ${peer.address} (priority ${peer.priority}) would lose the election to us (priority ${self.priority}) and yields`);
      return;
    }
    this.deps.log.warn(
      `(${name}) split brain: yielding to ${peer.address} (priority ${peer.priority}, ours ${self.priority}): removing VIPs and entering FAULT until its adverts are heard again`,
    );
    r.phase = 'yielded';
    r.advertRounds = 0;
    r.vacantRounds = 0;
    r.lastPeerAdvertAt = undefined;
    this.control?.holdFault(name, true);
  }

  private release(r: Runner, reason: string): void {
    r.phase = 'none';
    this.control?.holdFault(r.cfg.name, false);
    this.resolved(r, `${reason}; leaving FAULT`);
  }
}
