// Pure VRRP state machine: step(state, event, now) -> { state, actions }.
// RFC 3768 section 6.4 (v2) and RFC 5798/9568 section 6.4 (v3) with keepalived 2.2.7's
// additions (FAULT state from tracking, preempt_delay, priority-0 fast takeover,
// log line shapes from vrrp.c / vrrp_scheduler.c). No I/O and no clock: timers are
// absolute deadlines in the state; the driver calls step(..., {type:'tick'}) at
// nextWake(state). Actions are data; adapters (transport, vip, garp, notify) run them.

import { canonicalAddress, compareAddresses } from './codec.js';
import type { Advert } from './codec.js';
import { PRIORITY_OWNER, PRIORITY_STOP } from './instance.js';
import type { InstanceParams, VipSpec, VrrpState } from './instance.js';

export interface MachineState {
  readonly params: InstanceParams;
  readonly state: VrrpState;
  /** Master_Adver_Interval (RFC 5798 6.1): a v3 backup adopts the master's. */
  readonly masterIntervalCs: number;
  readonly masterDownAt?: number;
  readonly advertAt?: number;
  readonly garpAt?: number;
  readonly garpRefreshAt?: number;
  /** keepalived's preempt_time: lower-priority adverts are honoured until then. */
  readonly preemptAt?: number;
  /** The current master's address (ours when MASTER). */
  readonly masterAddress?: string;
  readonly masterPriority?: number;
  readonly scriptOk: Readonly<Record<string, boolean>>;
  readonly interfaceUp: Readonly<Record<string, boolean>>;
  readonly lastTransition?: { from: VrrpState; to: VrrpState; at: number };
  /** MASTER: sources whose lower-priority advert we answered, and when (the current interval only). */
  readonly repliedTo?: Readonly<Record<string, number>>;
  /** MASTER: when the last gratuitous ARP answering a lower-priority advert went out. */
  readonly replyGarpAt?: number;
  /** Sync group member whose Master_Down timer expired: ready to take over with the group. */
  readonly wantMaster?: boolean;
  readonly stopped: boolean;
}

export type MachineEvent =
  | { type: 'start' }
  | { type: 'tick' }
  | { type: 'advert'; src: string; advert: Advert }
  | { type: 'track'; kind: 'script' | 'interface'; name: string; ok: boolean }
  | { type: 'sync'; to: 'MASTER' | 'BACKUP' | 'FAULT' }
  | { type: 'reconfigure'; params: InstanceParams }
  | { type: 'shutdown' };

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

export type Action =
  | { type: 'send-advert'; priority: number; intervalCs: number }
  | { type: 'add-vips'; vips: VipSpec[] }
  | { type: 'remove-vips'; vips: VipSpec[] }
  | { type: 'send-garp'; count: number }
  | { type: 'notify'; state: NotifyState; priority: number }
  | { type: 'mail'; state: 'MASTER' | 'BACKUP' | 'FAULT' }
  /**
   * `repeat`: a line caused by one received packet, which a flood would repeat; the
   * daemon counts it under `reason` and rate-limits the log (src/vrrp/log-throttle.ts).
   */
  | { type: 'log'; level: 'info' | 'warn'; msg: string; repeat?: { reason: 'lower-priority'; src: string; what: string; quietMs: number } }
  | { type: 'transition'; from: VrrpState; to: VrrpState; fromSync: boolean }
  /** A sync group member is ready for MASTER; the group decides (keepalived vrrp_sync_can_goto_master). */
  | { type: 'want-master' };

export interface StepResult {
  state: MachineState;
  actions: Action[];
}

type Draft = { -readonly [K in keyof MachineState]: MachineState[K] };

/**
 * A master answers lower-priority adverts (keepalived's "forcing new election") for at
 * most this many distinct sources per advert interval, once each: the reply only makes
 * a split-brain loser yield sooner than our next scheduled advert would, and a flood
 * (spoofed sources included) must not turn into a flood of our own.
 */
export const REPLY_SOURCES_PER_INTERVAL = 4;
/** ...and sends at most one gratuitous ARP/NA burst for them per this many ms. */
export const REPLY_GARP_SPACING_MS = 1000;

export function initialState(params: InstanceParams): MachineState {
  return {
    params,
    state: 'INIT',
    masterIntervalCs: params.intervalCs,
    scriptOk: Object.fromEntries(params.trackScripts.map((t) => [t.name, true])),
    interfaceUp: Object.fromEntries(params.trackInterfaces.map((t) => [t.name, true])),
    stopped: false,
  };
}

/**
 * keepalived's effective priority (vrrp_track.c): a positive weight is added while the
 * tracked item is OK, a negative one while it fails. The owner (255) is not adjusted.
 * Returns 0 or less when tracking pushes the instance into FAULT.
 */
export function effectivePriority(s: Pick<MachineState, 'params' | 'scriptOk' | 'interfaceUp'>): number {
  const p = s.params;
  let prio = p.priority;
  let fault = false;
  const apply = (weight: number, ok: boolean): void => {
    if (weight === 0) {
      if (!ok) fault = true;
    } else if (weight > 0 && ok) prio += weight;
    else if (weight < 0 && !ok) prio += weight;
  };
  for (const t of p.trackScripts) apply(t.weight, s.scriptOk[t.name] ?? true);
  for (const t of p.trackInterfaces) apply(t.weight, s.interfaceUp[t.name] ?? true);
  if (fault) return 0;
  if (p.priority === PRIORITY_OWNER) return PRIORITY_OWNER;
  if (prio <= 0) return 0;
  return Math.min(prio, PRIORITY_OWNER - 1);
}

/** Skew_Time in ms: v2 (256-P)/256 s (RFC 3768 6.1); v3 ((256-P)*MAI)/256 (RFC 5798 6.1). */
export function skewMs(version: 2 | 3, priority: number, masterIntervalCs: number): number {
  if (version === 2) return ((256 - priority) * 1000) / 256;
  return ((256 - priority) * masterIntervalCs * 10) / 256;
}

/** Master_Down_Interval in ms: 3 * Master_Adver_Interval + Skew_Time. */
export function masterDownMs(version: 2 | 3, priority: number, masterIntervalCs: number): number {
  return 3 * masterIntervalCs * 10 + skewMs(version, priority, masterIntervalCs);
}

/** The earliest deadline the driver must wake for, if any. */
export function nextWake(s: MachineState): number | undefined {
  const ds = [s.masterDownAt, s.advertAt, s.garpAt, s.garpRefreshAt].filter((d): d is number => d !== undefined);
  return ds.length ? Math.min(...ds) : undefined;
}

export function step(prev: MachineState, ev: MachineEvent, now: number): StepResult {
  const s: Draft = { ...prev };
  const out: Action[] = [];
  const name = s.params.name;
  const log = (msg: string, level: 'info' | 'warn' = 'info'): void => {
    out.push({ type: 'log', level, msg: `(${name}) ${msg}` });
  };
  // A sender silent for 3 of its own intervals stopped being master in between: its
  // next lower-priority advert starts a new episode and is logged in full.
  const logLower = (msg: string, src: string, what: string, a: Advert): void => {
    out.push({ type: 'log', level: 'info', msg: `(${name}) ${msg}`, repeat: { reason: 'lower-priority', src, what, quietMs: 3 * a.intervalCs * 10 } });
  };
  const prio = (): number => effectivePriority(s);
  const intervalMs = (): number => s.params.intervalCs * 10;
  const downMs = (): number => masterDownMs(s.params.version, prio(), s.masterIntervalCs);
  const advertVips = (): VipSpec[] => [...s.params.vips, ...s.params.excludedVips];

  const transition = (to: VrrpState, fromSync: boolean): void => {
    s.wantMaster = false;
    out.push({ type: 'transition', from: s.state, to, fromSync });
    s.lastTransition = { from: s.state, to, at: now };
    s.state = to;
  };

  const becomeMaster = (fromSync: boolean): void => {
    const from = s.state;
    transition('MASTER', fromSync);
    log('Entering MASTER STATE');
    s.masterIntervalCs = s.params.intervalCs;
    s.masterAddress = canonicalAddress(s.params.primaryIp);
    s.masterPriority = prio();
    s.masterDownAt = undefined;
    s.preemptAt = undefined;
    // RFC 3768 6.4.1: send an ADVERTISEMENT, broadcast gratuitous ARP, start the timer.
    out.push({ type: 'send-advert', priority: prio(), intervalCs: s.params.intervalCs });
    if (from !== 'MASTER') {
      log('setting VIPs.');
      out.push({ type: 'add-vips', vips: advertVips() });
    }
    out.push({ type: 'send-garp', count: s.params.garpMasterRepeat });
    s.advertAt = now + intervalMs();
    s.garpAt = s.params.garpMasterDelayMs > 0 ? now + s.params.garpMasterDelayMs : undefined;
    s.garpRefreshAt = s.params.garpMasterRefreshMs > 0 ? now + s.params.garpMasterRefreshMs : undefined;
    out.push({ type: 'notify', state: 'MASTER', priority: prio() });
    out.push({ type: 'mail', state: 'MASTER' });
  };

  const leaveMaster = (): void => {
    s.advertAt = undefined;
    s.repliedTo = undefined;
    s.replyGarpAt = undefined;
    s.garpAt = undefined;
    s.garpRefreshAt = undefined;
    log('removing VIPs.');
    out.push({ type: 'remove-vips', vips: advertVips() });
  };

  const becomeBackup = (fromSync: boolean, reason?: string): void => {
    const wasMaster = s.state === 'MASTER';
    const init = s.state === 'INIT';
    transition('BACKUP', fromSync);
    log(init ? 'Entering BACKUP STATE (init)' : `Entering BACKUP STATE${reason ? ` (${reason})` : ''}`);
    if (wasMaster) {
      leaveMaster();
      s.masterAddress = undefined;
    }
    s.masterDownAt = now + downMs();
    out.push({ type: 'notify', state: 'BACKUP', priority: prio() });
    out.push({ type: 'mail', state: 'BACKUP' });
  };

  const enterFault = (fromSync: boolean): void => {
    const wasMaster = s.state === 'MASTER';
    transition('FAULT', fromSync);
    log('Entering FAULT STATE');
    if (wasMaster) {
      // keepalived resigns with a priority-0 advert so a backup takes over after skew only.
      out.push({ type: 'send-advert', priority: PRIORITY_STOP, intervalCs: s.params.intervalCs });
      leaveMaster();
    }
    s.masterDownAt = undefined;
    s.masterAddress = undefined;
    s.preemptAt = undefined;
    out.push({ type: 'notify', state: 'FAULT', priority: prio() });
    out.push({ type: 'mail', state: 'FAULT' });
  };

  const startOrRecover = (): void => {
    // keepalived vrrp_init_state(): the owner (255) wanting MASTER takes over at once;
    // everyone else, even "state MASTER", listens as BACKUP for Master_Down_Interval
    // first (measured with keepalived 2.2.7: MASTER after 3.43 s at advert_int 1, prio 150).
    if (prio() === PRIORITY_OWNER && s.params.initialState === 'MASTER') becomeMaster(false);
    else becomeBackup(false);
  };

  switch (ev.type) {
    case 'start': {
      if (s.state !== 'INIT') break;
      s.stopped = false;
      // keepalived removes VIPs a crashed run may have left before its first election.
      log('removing VIPs.');
      out.push({ type: 'remove-vips', vips: advertVips() });
      if (prio() <= 0) enterFault(false);
      else startOrRecover();
      break;
    }
    case 'shutdown': {
      if (s.stopped) break;
      if (s.state === 'MASTER') {
        // RFC 3768 6.4.3 "If a Shutdown event is received": send priority 0.
        out.push({ type: 'send-advert', priority: PRIORITY_STOP, intervalCs: s.params.intervalCs });
        log('sent 0 priority');
        leaveMaster();
      }
      out.push({ type: 'transition', from: s.state, to: 'INIT', fromSync: false });
      s.lastTransition = { from: s.state, to: 'INIT', at: now };
      s.state = 'INIT';
      s.stopped = true;
      s.masterDownAt = undefined;
      s.advertAt = undefined;
      s.garpAt = undefined;
      s.garpRefreshAt = undefined;
      out.push({ type: 'notify', state: 'STOP', priority: prio() });
      break;
    }
    case 'tick': {
      if (s.state === 'BACKUP' && s.masterDownAt !== undefined && now >= s.masterDownAt) {
        if (s.params.syncGroup !== undefined) {
          // keepalived vrrp_sync_can_goto_master(): a member only takes over when every
          // member wants to, which avoids thrashing; until then it keeps listening.
          if (!s.wantMaster) log('Receive advertisement timeout');
          s.wantMaster = true;
          s.masterDownAt = now + downMs();
          out.push({ type: 'want-master' });
          break;
        }
        log('Receive advertisement timeout');
        becomeMaster(false);
        break;
      }
      if (s.state === 'MASTER') {
        if (s.advertAt !== undefined && now >= s.advertAt) {
          out.push({ type: 'send-advert', priority: prio(), intervalCs: s.params.intervalCs });
          // Keep the cadence anchored; a starved loop catches up with one advert, not a burst.
          s.advertAt = Math.max(s.advertAt + intervalMs(), now + 1);
        }
        if (s.garpAt !== undefined && now >= s.garpAt) {
          out.push({ type: 'send-garp', count: s.params.garpMasterRepeat });
          s.garpAt = undefined;
          // This burst counts against REPLY_GARP_SPACING_MS too: under a steady stream of
          // lower-priority adverts, reply GARPs and their follow-up bursts together stay
          // at one per second.
          s.replyGarpAt = now;
        }
        if (s.garpRefreshAt !== undefined && now >= s.garpRefreshAt) {
          out.push({ type: 'send-garp', count: s.params.garpMasterRefreshRepeat });
          s.garpRefreshAt = now + s.params.garpMasterRefreshMs;
        }
      }
      break;
    }
    case 'advert':
      onAdvert(ev.src, ev.advert);
      break;
    case 'track': {
      if (ev.kind === 'script') s.scriptOk = { ...s.scriptOk, [ev.name]: ev.ok };
      else s.interfaceUp = { ...s.interfaceUp, [ev.name]: ev.ok };
      if (s.stopped) break;
      const p = prio();
      if (p <= 0 && s.state !== 'FAULT') enterFault(false);
      else if (p > 0 && s.state === 'FAULT') startOrRecover();
      else if (s.state === 'MASTER') s.masterPriority = p;
      break;
    }
    case 'sync': {
      if (s.stopped || s.state === ev.to) break;
      if (ev.to === 'FAULT') enterFault(true);
      else if (s.state === 'FAULT' && prio() <= 0) break; // faulty itself: stays in FAULT
      else if (ev.to === 'MASTER') becomeMaster(true);
      else becomeBackup(true);
      break;
    }
    case 'reconfigure': {
      const old = s.params;
      s.params = ev.params;
      s.scriptOk = Object.fromEntries(ev.params.trackScripts.map((t) => [t.name, s.scriptOk[t.name] ?? true]));
      s.interfaceUp = Object.fromEntries(ev.params.trackInterfaces.map((t) => [t.name, s.interfaceUp[t.name] ?? true]));
      if (s.state === 'BACKUP' && ev.params.version === 2) s.masterIntervalCs = ev.params.intervalCs;
      if (s.state === 'MASTER') {
        s.masterIntervalCs = ev.params.intervalCs;
        const key = (v: VipSpec): string => `${v.address}|${v.dev ?? ''}|${v.label ?? ''}|${v.scope ?? ''}`;
        const before = new Set([...old.vips, ...old.excludedVips].map(key));
        const after = new Set(advertVips().map(key));
        const removed = [...old.vips, ...old.excludedVips].filter((v) => !after.has(key(v)));
        const added = advertVips().filter((v) => !before.has(key(v)));
        if (removed.length) out.push({ type: 'remove-vips', vips: removed });
        if (added.length) {
          out.push({ type: 'add-vips', vips: added });
          out.push({ type: 'send-garp', count: ev.params.garpMasterRepeat });
        }
        // Tell the peers about the new priority/addresses at once.
        out.push({ type: 'send-advert', priority: prio(), intervalCs: ev.params.intervalCs });
        s.advertAt = now + ev.params.intervalCs * 10;
      }
      const p = prio();
      if (!s.stopped && s.state !== 'INIT') {
        if (p <= 0 && s.state !== 'FAULT') enterFault(false);
        else if (p > 0 && s.state === 'FAULT') startOrRecover();
      }
      break;
    }
  }
  return { state: s, actions: out };

  function onAdvert(src: string, a: Advert): void {
    if (s.stopped || s.state === 'INIT' || s.state === 'FAULT') return;
    const ours = prio();
    if (s.state === 'BACKUP') {
      if (a.priority === PRIORITY_STOP) {
        // RFC 3768 6.4.2: the master resigned; take over after Skew_Time only.
        s.masterDownAt = now + skewMs(s.params.version, ours, s.masterIntervalCs);
        return;
      }
      const inPreemptDelay =
        s.params.preemptDelayMs > 0 && (s.preemptAt === undefined || now < s.preemptAt);
      if (!s.params.preempt || a.priority >= ours || inPreemptDelay) {
        if (a.priority < ours && s.params.preemptDelayMs > 0 && s.preemptAt === undefined) {
          s.preemptAt = now + s.params.preemptDelayMs;
        }
        // RFC 5798 6.4.2: a v3 backup adopts the master's interval.
        if (s.params.version === 3) s.masterIntervalCs = a.intervalCs;
        s.masterAddress = src;
        s.masterPriority = a.priority;
        s.masterDownAt = now + masterDownMs(s.params.version, ours, s.masterIntervalCs);
        s.wantMaster = false;
        return;
      }
      // A lower-priority master with preemption on: let Master_Down expire. keepalived
      // (vrrp_state_backup) logs this only here, when it discards the advert.
      logLower(`received lower priority (${a.priority}) advert from ${src} - discarding`, src, 'discarded lower priority adverts', a);
      return;
    }
    // MASTER
    if (a.priority === PRIORITY_STOP) {
      out.push({ type: 'send-advert', priority: ours, intervalCs: s.params.intervalCs });
      s.advertAt = now + intervalMs();
      return;
    }
    const higher = a.priority > ours || (a.priority === ours && compareAddresses(src, canonicalAddress(s.params.primaryIp)) > 0);
    if (higher) {
      log(`Master received advert from ${src} with higher priority ${a.priority}, ours ${ours}`);
      becomeBackup(false);
      if (s.params.version === 3) s.masterIntervalCs = a.intervalCs;
      s.masterAddress = src;
      s.masterPriority = a.priority;
      s.masterDownAt = now + masterDownMs(s.params.version, ours, s.masterIntervalCs);
      return;
    }
    logLower(`Received advert from ${src} with lower priority ${a.priority}, ours ${ours}, forcing new election`, src, 'lower priority adverts (forcing new election)', a);
    // Answer at most once per source per interval, for a few sources: see
    // REPLY_SOURCES_PER_INTERVAL. The scheduled advert keeps its time (advertAt is not
    // moved), so no receive load can postpone it.
    const recent: Record<string, number> = {};
    for (const [k, t] of Object.entries(s.repliedTo ?? {})) if (now - t < intervalMs()) recent[k] = t;
    const answer = recent[src] === undefined && Object.keys(recent).length < REPLY_SOURCES_PER_INTERVAL;
    if (answer) recent[src] = now;
    s.repliedTo = recent;
    if (!answer) return;
    out.push({ type: 'send-advert', priority: ours, intervalCs: s.params.intervalCs });
    // Do better than keepalived (#166/#1528): after split brain, the winner re-announces
    // its VIPs so switches and hosts learn the right MAC again: once now, and a full burst
    // again after garp_master_delay (the first may be lost while the path is healing).
    if (s.replyGarpAt === undefined || now - s.replyGarpAt >= REPLY_GARP_SPACING_MS) {
      out.push({ type: 'send-garp', count: 1 });
      s.replyGarpAt = now;
    }
    if (s.garpAt === undefined && s.params.garpMasterDelayMs > 0) s.garpAt = now + s.params.garpMasterDelayMs;
  }
}
