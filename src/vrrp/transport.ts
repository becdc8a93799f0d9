// Raw IP protocol 112 transport, one socket per (interface, family), on haldir's own
// addon (src/vrrp/rawsock.ts). Everything VRRP needs is a socket option:
//   SO_BINDTODEVICE            only this interface's packets (instances on other
//                              interfaces never mix)
//   IP_ADD_MEMBERSHIP (ip_mreqn with ifindex) / IPV6_ADD_MEMBERSHIP (ipv6_mreq)
//   IP_MULTICAST_IF / IPV6_MULTICAST_IF, IP_MULTICAST_LOOP=0 (our own adverts stay home)
//   IP_HDRINCL (IPv4)          we write the IP header: TTL 255 (RFC 3768 7.1), DSCP
//                              CS6 and the source = our primary address, which the
//                              keepalived-style v3 pseudo-header checksum covers
//   IPV6_CHECKSUM=6, IPV6_MULTICAST_HOPS/UNICAST_HOPS=255 (IPv6): the kernel computes
//                              and verifies the RFC 8200 pseudo-header checksum;
//                              sticky IPV6_PKTINFO fixes the source address
//   IPV6_RECVHOPLIMIT, IPV6_RECVPKTINFO (IPv6): the hop limit and destination of each
//                              packet, which RFC 5798 7.1 checks (IPv4 receives carry
//                              the IP header, so TTL and destination come from it)
// Sends are synchronous sendto() calls: an advert leaves when its timer fires, whatever
// is queued for receive. Receives come in bounded batches per event-loop wakeup.

import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { VRRP_MCAST_V4, VRRP_MCAST_V6, VRRP_PROTOCOL, decodeIpv4, encodeIpv4Header, ipv4ToBytes, ipv6ToBytes } from './codec.js';
import type { AddressFamily } from './codec.js';
import type { DropReason, ReceivedPacket } from './admit.js';
import {
  AF_INET,
  AF_INET6,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPV6_ADD_MEMBERSHIP,
  IPV6_CHECKSUM,
  IPV6_MULTICAST_HOPS,
  IPV6_MULTICAST_IF,
  IPV6_MULTICAST_LOOP,
  IPV6_PKTINFO,
  IPV6_RECVHOPLIMIT,
  IPV6_RECVPKTINFO,
  IPV6_UNICAST_HOPS,
  IP_ADD_MEMBERSHIP,
  IP_HDRINCL,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  SOL_SOCKET,
  SO_BINDTODEVICE,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_TIMESTAMPNS,
  rawsock,
} from './rawsock.js';
import type { RawDatagram, ReceiveHandle } from './rawsock.js';

/** Datagrams read per event-loop wakeup: timers (adverts) run between batches. */
export const RECEIVE_BATCH = 64;
/** Receive buffer: a burst of a few thousand small adverts fits (root may exceed rmem_max). */
const RECEIVE_BUFFER_BYTES = 1 << 21;

export function interfaceIndex(ifname: string): number {
  try {
    return Number(readFileSync(`/sys/class/net/${ifname}/ifindex`, 'utf8').trim());
  } catch {
    throw new VrrpTransportError(
      'VRRP-IFACE',
      `interface "${ifname}" not found: check "interface" in vrrp.cf against \`ip link\``,
    );
  }
}

export class VrrpTransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface TransportOptions {
  family: AddressFamily;
  ifname: string;
  /** Source address of our adverts (IPv4: written into our IP header). */
  primaryIp: string;
  /** Join the multicast group (false when every instance on it uses unicast peers). */
  multicast: boolean;
  /** vrrp_mcast_group4/6; default 224.0.0.18 / ff02::12. */
  group?: string;
  /** Ask the kernel for receive timestamps (ReceivedPacket.timestampMs); tests measure cadence with it. */
  timestamps?: boolean;
}

export type Classified = { ok: true; packet: ReceivedPacket } | { ok: false; reason: DropReason; detail: string };

/**
 * Pure: what one received datagram is. IPv4 raw sockets deliver the IP header (TTL,
 * addresses and protocol are read from it); IPv6 ones strip it and the kernel reports
 * hop limit and destination as ancillary data, without which a packet is refused
 * (RFC 5798 7.1 needs the hop limit).
 */
export function classifyDatagram(family: AddressFamily, d: RawDatagram): Classified {
  if (d.truncated) return { ok: false, reason: 'truncated', detail: `more than ${d.data.length} bytes` };
  if (family === 4) {
    const ip = decodeIpv4(d.data);
    if (!ip.ok) return ip;
    if (ip.packet.protocol !== VRRP_PROTOCOL) return { ok: false, reason: 'bad-protocol', detail: `IP protocol ${ip.packet.protocol}, expected ${VRRP_PROTOCOL}` };
    const { src, dst, ttl, payload } = ip.packet;
    return { ok: true, packet: { family: 4, src, dst, ttl, payload, timestampMs: d.timestampMs } };
  }
  if (d.src === undefined || d.dst === undefined || d.hopLimit === undefined) {
    return { ok: false, reason: 'bad-ip-header', detail: 'the kernel reported no source, destination or hop limit' };
  }
  return {
    ok: true,
    packet: { family: 6, src: d.src.split('%')[0]!, dst: d.dst, ttl: d.hopLimit, payload: d.data, checksumVerified: true, timestampMs: d.timestampMs },
  };
}

/** Wire-level events: 'packet' (ReceivedPacket), 'malformed' (DropReason), 'error' (Error). */
export class VrrpTransport extends EventEmitter {
  private readonly fd: number;
  private readonly receiver: ReceiveHandle;
  private readonly ifindex: number;
  private closed = false;

  constructor(readonly opts: TransportOptions) {
    super();
    const r = rawsock();
    this.ifindex = interfaceIndex(opts.ifname);
    try {
      this.fd = r.socket(opts.family === 4 ? AF_INET : AF_INET6, VRRP_PROTOCOL);
    } catch (e) {
      throw new VrrpTransportError(
        'VRRP-RAW',
        `cannot open a raw socket for protocol 112 (${(e as Error).message}): run as root or grant CAP_NET_RAW`,
      );
    }
    try {
      this.configure();
      this.receiver = r.startReceive(this.fd, RECEIVE_BATCH, (err, ds) => this.onBatch(err, ds));
    } catch (e) {
      r.close(this.fd);
      throw new VrrpTransportError('VRRP-SOCKOPT', `cannot set up the VRRP socket on ${opts.ifname}: ${(e as Error).message}`);
    }
  }

  private configure(): void {
    const { opts, fd, ifindex } = this;
    const set = (level: number, name: number, v: number | Buffer): void => rawsock().setsockopt(fd, level, name, v);
    set(SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${opts.ifname}\0`));
    try {
      set(SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER_BYTES);
    } catch {
      set(SOL_SOCKET, SO_RCVBUF, RECEIVE_BUFFER_BYTES); // without CAP_NET_ADMIN: capped at rmem_max
    }
    if (opts.timestamps) set(SOL_SOCKET, SO_TIMESTAMPNS, 1);
    if (opts.family === 4) {
      set(IPPROTO_IP, IP_HDRINCL, 1);
      const mreqn = Buffer.alloc(12);
      ipv4ToBytes(opts.group ?? VRRP_MCAST_V4).copy(mreqn, 0);
      ipv4ToBytes(opts.primaryIp).copy(mreqn, 4);
      mreqn.writeInt32LE(ifindex, 8);
      set(IPPROTO_IP, IP_MULTICAST_IF, mreqn);
      set(IPPROTO_IP, IP_MULTICAST_TTL, 255);
      set(IPPROTO_IP, IP_MULTICAST_LOOP, 0);
      if (opts.multicast) set(IPPROTO_IP, IP_ADD_MEMBERSHIP, mreqn);
    } else {
      set(IPPROTO_IPV6, IPV6_CHECKSUM, 6);
      set(IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex);
      set(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255);
      set(IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255);
      set(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);
      set(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
      set(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
      // Sticky IPV6_PKTINFO (RFC 3542 6.1): every advert leaves from our primary
      // (link-local) address, never from a VIP the kernel might otherwise prefer.
      const pktinfo = Buffer.alloc(20);
      ipv6ToBytes(opts.primaryIp).copy(pktinfo, 0);
      pktinfo.writeInt32LE(ifindex, 16);
      set(IPPROTO_IPV6, IPV6_PKTINFO, pktinfo);
      if (opts.multicast) {
        const mreq = Buffer.alloc(20);
        ipv6ToBytes(opts.group ?? VRRP_MCAST_V6).copy(mreq, 0);
        mreq.writeInt32LE(ifindex, 16);
        set(IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, mreq);
      }
    }
  }

  private onBatch(err: Error | null, ds: RawDatagram[]): void {
    if (this.closed) return;
    for (const d of ds) {
      const c = classifyDatagram(this.opts.family, d);
      if (c.ok) this.emit('packet', c.packet);
      else this.emit('malformed', c.reason);
    }
    if (err) this.emit('error', err);
  }

  /** Sends a VRRP message (already encoded, checksum included for IPv4) to dst, at once. */
  send(message: Buffer, dst: string, src = this.opts.primaryIp): Promise<void> {
    if (this.closed) return Promise.resolve();
    const v4 = this.opts.family === 4;
    const pkt = v4 ? Buffer.concat([encodeIpv4Header(src, dst, message.length), message]) : message;
    try {
      rawsock().sendto(this.fd, v4 ? AF_INET : AF_INET6, pkt, dst, this.ifindex, 0);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    rawsock().stopReceive(this.receiver);
    rawsock().close(this.fd);
  }
}
