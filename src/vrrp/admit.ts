// Pure receive filter: which decoded adverts an instance may act on. Mirrors
// keepalived 2.2.7 vrrp.c vrrp_check_packet() and RFC 3768 7.1 / RFC 5798 7.1:
// TTL / IPv6 hop limit must be 255 and the destination the VRRP group (multicast
// instances), version and VRID must match, v2 auth must match, a v2 advert with another
// interval is dropped (a v3 backup adopts it instead).
// Anything dropped is counted by reason and never reaches the state machine.

import { AUTH_NONE, AUTH_PASS, canonicalAddress, decodeAdvert, passAuthData } from './codec.js';
import type { Advert, AddressFamily, DecodeFailure } from './codec.js';
import type { InstanceParams } from './instance.js';

export type DropReason =
  | DecodeFailure
  | 'bad-ip-header'
  | 'bad-protocol'
  | 'bad-ttl'
  | 'wrong-destination'
  | 'wrong-vrid'
  | 'wrong-version'
  | 'bad-auth-type'
  | 'bad-passwd'
  | 'interval-mismatch'
  | 'own-packet'
  | 'not-a-peer'
  /** Counted, not dropped by this filter: the machine discards (BACKUP) or answers (MASTER) it. */
  | 'lower-priority';

export interface ReceivedPacket {
  family: AddressFamily;
  src: string;
  dst?: string;
  /** IPv4 TTL / IPv6 hop limit when known. */
  ttl?: number;
  /** The VRRP message (IP header already removed). */
  payload: Buffer;
  checksumVerified?: boolean;
  /** Kernel receive time (ms since the epoch) when the transport was asked for it. */
  timestampMs?: number;
}

export type Decoded = { ok: true; advert: Advert; src: string; ttl?: number; dst?: string } | { ok: false; reason: DropReason; detail: string };

/** Step 1, once per packet: decode and check what does not depend on the instance. */
export function decodeReceived(p: ReceivedPacket): Decoded {
  const d = decodeAdvert(p.payload, { family: p.family, src: p.src, dst: p.dst, checksumVerified: p.checksumVerified });
  if (!d.ok) return d;
  return { ok: true, advert: d.advert, src: canonicalAddress(p.src), ttl: p.ttl, dst: p.dst };
}

export type Admission =
  | { ok: true; advert: Advert; src: string }
  | { ok: false; reason: DropReason; detail: string; log?: string };

/** What the IP layer said about a packet, for the checks that depend on it. */
export interface WireFacts {
  /** IPv4 TTL / IPv6 hop limit, when the transport saw it. */
  ttl?: number;
  /** Destination address, when the transport saw it. */
  dst?: string;
  /** The multicast group the socket joined (vrrp_mcast_group4/6). */
  group?: string;
}

/** Step 2, per instance: the checks keepalived makes against the instance's config. */
export function admitAdvert(params: InstanceParams, src: string, advert: Advert, wire: WireFacts = {}): Admission {
  const { ttl, dst, group } = wire;
  const unicast = params.unicastPeers.length > 0;
  if (canonicalAddress(src) === canonicalAddress(params.primaryIp)) {
    return { ok: false, reason: 'own-packet', detail: 'our own advert looped back' };
  }
  if (unicast) {
    const peers = params.unicastPeers.map(canonicalAddress);
    if (!peers.includes(canonicalAddress(src))) {
      return { ok: false, reason: 'not-a-peer', detail: `${src} is not a unicast_peer` };
    }
  } else {
    if (ttl !== undefined && ttl !== 255) {
      // RFC 3768 7.1 / RFC 5798 7.1: a TTL (IPv4) or hop limit (IPv6) other than 255
      // means the packet was routed: it comes from off the link.
      return { ok: false, reason: 'bad-ttl', detail: `TTL ${ttl}`, log: `(${params.name}) invalid ttl. ${ttl} and expect 255` };
    }
    if (dst !== undefined && group !== undefined && canonicalAddress(dst) !== canonicalAddress(group)) {
      // RFC 3768 5.2.2 / RFC 5798 5.1.1.2: a multicast instance's adverts go to the
      // VRRP group. One addressed to us alone is not from a peer of this instance.
      return {
        ok: false,
        reason: 'wrong-destination',
        detail: `sent to ${dst}, not ${group}`,
        log: `(${params.name}) advert sent to ${dst}, not to the VRRP group ${group} - discarding`,
      };
    }
  }
  if (advert.vrid !== params.vrid) return { ok: false, reason: 'wrong-vrid', detail: `VRID ${advert.vrid}` };
  if (advert.version !== params.version) {
    return { ok: false, reason: 'wrong-version', detail: `version ${advert.version}, ours ${params.version}` };
  }
  if (advert.version === 2) {
    const want = params.authPass !== undefined ? AUTH_PASS : AUTH_NONE;
    if (advert.authType !== want) {
      return {
        ok: false,
        reason: 'bad-auth-type',
        detail: `auth type ${advert.authType}, ours ${want}`,
        log: `(${params.name}) received a packet with invalid auth type ${advert.authType}, expected ${want}`,
      };
    }
    if (want === AUTH_PASS && !passAuthData(params.authPass!).equals(advert.authData ?? Buffer.alloc(0))) {
      return { ok: false, reason: 'bad-passwd', detail: 'password mismatch', log: `(${params.name}) received an invalid passwd!` };
    }
    if (advert.intervalCs !== params.intervalCs) {
      return {
        ok: false,
        reason: 'interval-mismatch',
        detail: `interval ${advert.intervalCs / 100}s, ours ${params.intervalCs / 100}s`,
        log: `(${params.name}) advertisement interval mismatch mine=${params.intervalCs * 10000} rcv'd=${advert.intervalCs * 10000}`,
      };
    }
  }
  return { ok: true, advert, src: canonicalAddress(src) };
}

/** Counts dropped packets by reason (shown by `status -v`). */
export class DropCounters {
  readonly counts = new Map<DropReason, number>();
  add(reason: DropReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }
  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

export type Routed =
  | { ok: true; instance: string; src: string; advert: Advert }
  | { ok: false; reason: DropReason; detail: string; instance?: string; log?: string };

/**
 * The whole receive path for one packet on one (interface, family) socket: decode,
 * find the instance by VRID, admit. Pure, so it can be fuzzed together with step().
 */
export function routePacket(instances: readonly InstanceParams[], p: ReceivedPacket, group?: string): Routed {
  const d = decodeReceived(p);
  if (!d.ok) return d;
  const target = instances.find((i) => i.vrid === d.advert.vrid && i.family === p.family);
  if (!target) return { ok: false, reason: 'wrong-vrid', detail: `no instance with VRID ${d.advert.vrid}` };
  const a = admitAdvert(target, d.src, d.advert, { ttl: d.ttl, dst: d.dst, group });
  if (!a.ok) return { ...a, instance: target.name };
  return { ok: true, instance: target.name, src: a.src, advert: a.advert };
}
