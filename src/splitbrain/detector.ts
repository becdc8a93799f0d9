// Pure split-brain detector for one vrrp_instance: decide(state, observation, now) ->
// { state, events }. It is fed by probes (ARP/ND duplicate-address probe of a VIP, ping of
// the peer, the peer's status endpoint) and by the VRRP daemon (our own state changes,
// adverts from another master for our VRID). No I/O and no clock of its own: `now` comes
// from the injected Clock, so timelines are unit-tested with ManualClock.
//
// Hysteresis: a single ARP reply or status answer never flips the verdict; a
// probe must agree `confirm` rounds in a row, and split brain is over only after every
// probe has disagreed `clear` rounds in a row (or we stopped being MASTER). A normal
// preemption has both nodes MASTER for at most one advert interval, far shorter.

import type { VrrpState } from '../vrrp/instance.js';

export type ProbeKind = 'arp' | 'status' | 'advert';

export interface DetectorParams {
  readonly instance: string;
  /** Consecutive positive rounds of one probe before split brain is declared (default 2). */
  readonly confirm: number;
  /** Consecutive negative rounds of every probe before it is declared over (default 2). */
  readonly clear: number;
  /**
   * Adverts from another master must keep coming this long while we stay MASTER
   * (default 3 advert intervals): RFC 3768 6.4.3 resolves a real election in one.
   */
  readonly advertWindowMs: number;
}

export const DETECTOR_DEFAULTS = { confirm: 2, clear: 2, advertIntervals: 3 } as const;

/** What the peer's status endpoint says about the instance with our VRID. */
export interface PeerReport {
  readonly state: string;
  readonly priority: number;
  readonly address: string;
  /** The peer's own split-brain phase ('yielded' = it stepped down for us). */
  readonly splitBrain?: string;
}

export type Observation =
  /** Our own VRRP state; byTimeout = we became MASTER because the master's adverts stopped. */
  | { readonly kind: 'local'; readonly state: VrrpState; readonly byTimeout: boolean }
  /** One duplicate-address probe of a VIP: the foreign MACs that answered (empty = none). */
  | { readonly kind: 'arp'; readonly vip: string; readonly foreignMacs: readonly string[] }
  | { readonly kind: 'ping'; readonly peer: string; readonly alive: boolean }
  /** One read of the peer's status endpoint; report undefined = unreachable or no such VRID. */
  | { readonly kind: 'status'; readonly peer: string; readonly report: PeerReport | undefined }
  /** A valid advert for our VRID from another node (any priority but 0). */
  | { readonly kind: 'advert'; readonly src: string; readonly priority: number }
  /** End of a probe round: ages the advert evidence. */
  | { readonly kind: 'tick' };

export interface Evidence {
  readonly probe: ProbeKind;
  /** Operator-facing: which probe, what it saw, from whom. */
  readonly detail: string;
  readonly peerAddress?: string;
  readonly peerPriority?: number;
  readonly mac?: string;
}

export type DetectorEvent =
  | { readonly type: 'detected'; readonly evidence: readonly Evidence[] }
  | { readonly type: 'resolved'; readonly reason: string; readonly lastedMs: number }
  /** The peer answers ping although its adverts timed out: probe the VIPs now. */
  | { readonly type: 'probe-now'; readonly reason: string }
  /**
   * A second holder seen by a probe went away before we confirmed split brain (the other
   * node yielded first): clients may still have its MAC, so announce ours again.
   */
  | { readonly type: 'reannounce'; readonly reason: string };

interface ProbeCounter {
  readonly hits: number;
  readonly misses: number;
  readonly last?: Evidence;
}

export interface DetectorState {
  readonly params: DetectorParams;
  readonly local: VrrpState;
  readonly byTimeout: boolean;
  readonly arp: ProbeCounter;
  readonly status: ProbeCounter;
  /** The current run of foreign adverts (first and latest arrival). */
  readonly advert?: { readonly first: number; readonly last: number; readonly src: string; readonly priority: number };
  /** Rounds in a row without a fresh foreign advert (for clearing). */
  readonly advertQuiet: number;
  /** Already asked for an immediate probe in this MASTER term. */
  readonly pingTriggered: boolean;
  readonly active: boolean;
  readonly since?: number;
  readonly evidence: readonly Evidence[];
}

const ZERO: ProbeCounter = { hits: 0, misses: 0 };

export function detectorParams(instance: string, advertIntervalMs: number, o: Partial<DetectorParams> = {}): DetectorParams {
  return {
    instance,
    confirm: o.confirm ?? DETECTOR_DEFAULTS.confirm,
    clear: o.clear ?? DETECTOR_DEFAULTS.clear,
    advertWindowMs: o.advertWindowMs ?? DETECTOR_DEFAULTS.advertIntervals * advertIntervalMs,
  };
}

export function initialDetector(params: DetectorParams): DetectorState {
  return { params, local: 'INIT', byTimeout: false, arp: ZERO, status: ZERO, advertQuiet: 0, pingTriggered: false, active: false, evidence: [] };
}

const hit = (c: ProbeCounter, e: Evidence): ProbeCounter => ({ hits: c.hits + 1, misses: 0, last: e });
const miss = (c: ProbeCounter): ProbeCounter => ({ hits: 0, misses: c.misses + 1 });

type Draft = { -readonly [K in keyof DetectorState]: DetectorState[K] };

export function decide(prev: DetectorState, obs: Observation, now: number): { state: DetectorState; events: DetectorEvent[] } {
  const s: Draft = { ...prev };
  const events: DetectorEvent[] = [];
  const p = s.params;
  const master = (): boolean => s.local === 'MASTER';

  switch (obs.kind) {
    case 'local':
      if (obs.state === 'MASTER' && prev.local !== 'MASTER') {
        s.byTimeout = obs.byTimeout;
        s.pingTriggered = false;
      }
      s.local = obs.state;
      if (!master()) {
        // Evidence only means something while we hold the VIPs ourselves.
        s.arp = ZERO;
        s.status = ZERO;
        s.advert = undefined;
        s.advertQuiet = 0;
      }
      break;
    case 'arp':
      if (!master()) break;
      if (obs.foreignMacs.length) {
        const mac = obs.foreignMacs[0]!;
        s.arp = hit(s.arp, { probe: 'arp', detail: `${obs.vip.includes(':') ? 'ND' : 'ARP'} probe: ${obs.vip} is also answered by ${obs.foreignMacs.join(', ')}`, mac });
      } else {
        if (s.arp.hits > 0 && !s.active) events.push({ type: 'reannounce', reason: `${obs.vip} is no longer answered by ${s.arp.last?.mac ?? 'another node'}` });
        s.arp = miss(s.arp);
      }
      break;
    case 'status': {
      if (!master()) break;
      const r = obs.report;
      if (r && r.state === 'MASTER') {
        s.status = hit(s.status, {
          probe: 'status',
          detail: `status channel: peer ${obs.peer} (${r.address}) reports MASTER at priority ${r.priority}`,
          peerAddress: r.address,
          peerPriority: r.priority,
        });
      } else {
        if (s.status.hits > 0 && !s.active) events.push({ type: 'reannounce', reason: `peer ${obs.peer} no longer reports MASTER` });
        s.status = miss(s.status);
      }
      break;
    }
    case 'advert':
      if (!master()) break;
      s.advert =
        s.advert && s.advert.src === obs.src && now - s.advert.last <= p.advertWindowMs
          ? { ...s.advert, last: now, priority: obs.priority }
          : { first: now, last: now, src: obs.src, priority: obs.priority };
      s.advertQuiet = 0;
      break;
    case 'ping':
      if (master() && obs.alive && s.byTimeout && !s.pingTriggered && !s.active) {
        s.pingTriggered = true;
        events.push({ type: 'probe-now', reason: `peer ${obs.peer} answers ping although its adverts timed out` });
      }
      break;
    case 'tick':
      if (s.advert && now - s.advert.last > p.advertWindowMs) s.advert = undefined;
      s.advertQuiet = s.advert && now - s.advert.last <= p.advertWindowMs / DETECTOR_DEFAULTS.advertIntervals ? 0 : s.advertQuiet + 1;
      break;
  }

  const confirmed = currentEvidence(s, now);
  if (!s.active && master() && confirmed.length) {
    s.active = true;
    s.since = now;
    s.evidence = confirmed;
    events.push({ type: 'detected', evidence: confirmed });
  } else if (s.active) {
    if (confirmed.length) s.evidence = confirmed;
    const reason = !master()
      ? `this node left MASTER (now ${s.local})`
      : clearedAll(s)
        ? 'no probe sees a second master any more'
        : undefined;
    if (reason) {
      events.push({ type: 'resolved', reason, lastedMs: now - (s.since ?? now) });
      s.active = false;
      s.since = undefined;
      s.evidence = [];
    }
  }
  return { state: s, events };
}

/** The probes that currently confirm a second master (empty = none). */
function currentEvidence(s: DetectorState, now: number): Evidence[] {
  const p = s.params;
  const out: Evidence[] = [];
  if (s.local !== 'MASTER') return out;
  if (s.arp.hits >= p.confirm && s.arp.last) out.push(s.arp.last);
  if (s.status.hits >= p.confirm && s.status.last) out.push(s.status.last);
  const a = s.advert;
  if (a && a.last - a.first >= p.advertWindowMs && now - a.last <= p.advertWindowMs) {
    out.push({
      probe: 'advert',
      detail: `adverts: ${a.src} keeps advertising VRID as MASTER at priority ${a.priority} for ${Math.round(a.last - a.first)} ms without the election resolving`,
      peerAddress: a.src,
      peerPriority: a.priority,
    });
  }
  return out;
}

/**
 * Every probe disagrees `clear` rounds in a row; a probe that has not run since we became
 * MASTER (not configured, or no VIPs) does not hold the verdict up.
 */
function clearedAll(s: DetectorState): boolean {
  const c = s.params.clear;
  const quiet = (x: ProbeCounter): boolean => x.hits === 0 && (x.misses >= c || x.misses === 0);
  const advertClear = s.advert === undefined || s.advertQuiet >= c;
  return quiet(s.arp) && quiet(s.status) && advertClear && s.arp.misses + s.status.misses + s.advertQuiet > 0;
}

/** One line for logs and mail: every probe's evidence, joined. */
export function describeEvidence(evidence: readonly Evidence[]): string {
  return evidence.map((e) => e.detail).join('; ');
}
