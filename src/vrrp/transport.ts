// Raw-socket transport for IP protocol 112, one socket per (interface, family).
// raw-socket (native addon) gives us socket(AF_INET[6], SOCK_RAW, 112) and a generic
// setsockopt(level, option, Buffer); everything VRRP needs is a socket option:
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
// IPv4 receives include the IP header (TTL and addresses are checked in software);
// IPv6 raw sockets strip it, so the hop limit is not visible (see docs/vrrp.md).

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { VRRP_MCAST_V4, VRRP_MCAST_V6, VRRP_PROTOCOL, decodeIpv4, encodeIpv4Header, ipv4ToBytes, ipv6ToBytes } from './codec.js';
import type { AddressFamily } from './codec.js';
import type { ReceivedPacket } from './admit.js';

interface RawSocket {
  on(ev: 'message', fn: (buf: Buffer, source: string) => void): void;
  on(ev: 'error', fn: (err: Error) => void): void;
  on(ev: 'close', fn: () => void): void;
  send(buf: Buffer, offset: number, length: number, address: string, after: (err: Error | null, bytes?: number) => void): void;
  setOption(level: number, option: number, value: Buffer | number, length?: number): void;
  close(): void;
}
interface RawModule {
  createSocket(o: { addressFamily: number; protocol: number; bufferSize?: number }): RawSocket;
  AddressFamily: { IPv4: number; IPv6: number };
}

const require = createRequire(import.meta.url);
let rawModule: RawModule | undefined;
function raw(): RawModule {
  rawModule ??= require('raw-socket') as RawModule;
  return rawModule;
}

// Linux socket option numbers (<asm-generic/socket.h>, <linux/in.h>, <linux/in6.h>).
const SOL_SOCKET = 1;
const SO_BINDTODEVICE = 25;
const IPPROTO_IP = 0;
const IP_HDRINCL = 3;
const IP_MULTICAST_IF = 32;
const IP_MULTICAST_TTL = 33;
const IP_MULTICAST_LOOP = 34;
const IP_ADD_MEMBERSHIP = 35;
const IPPROTO_IPV6 = 41;
const IPV6_CHECKSUM = 7;
const IPV6_UNICAST_HOPS = 16;
const IPV6_MULTICAST_IF = 17;
const IPV6_MULTICAST_HOPS = 18;
const IPV6_MULTICAST_LOOP = 19;
const IPV6_ADD_MEMBERSHIP = 20;
const IPV6_PKTINFO = 50;

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
}

/** Wire-level events: 'packet' (ReceivedPacket), 'malformed' (reason), 'error' (Error). */
export class VrrpTransport extends EventEmitter {
  private readonly sock: RawSocket;
  private closed = false;

  constructor(readonly opts: TransportOptions) {
    super();
    const r = raw();
    const ifindex = interfaceIndex(opts.ifname);
    try {
      this.sock = r.createSocket({
        addressFamily: opts.family === 4 ? r.AddressFamily.IPv4 : r.AddressFamily.IPv6,
        protocol: VRRP_PROTOCOL,
        bufferSize: 65535,
      });
    } catch (e) {
      throw new VrrpTransportError(
        'VRRP-RAW',
        `cannot open a raw socket for protocol 112 (${(e as Error).message}): run as root or grant CAP_NET_RAW`,
      );
    }
    const dev = Buffer.from(`${opts.ifname}\0`);
    this.sock.setOption(SOL_SOCKET, SO_BINDTODEVICE, dev, dev.length);
    if (opts.family === 4) {
      this.sock.setOption(IPPROTO_IP, IP_HDRINCL, 1);
      const mreqn = Buffer.alloc(12);
      ipv4ToBytes(opts.group ?? VRRP_MCAST_V4).copy(mreqn, 0);
      ipv4ToBytes(opts.primaryIp).copy(mreqn, 4);
      mreqn.writeInt32LE(ifindex, 8);
      this.sock.setOption(IPPROTO_IP, IP_MULTICAST_IF, mreqn, 12);
      this.sock.setOption(IPPROTO_IP, IP_MULTICAST_TTL, 255);
      this.sock.setOption(IPPROTO_IP, IP_MULTICAST_LOOP, 0);
      if (opts.multicast) this.sock.setOption(IPPROTO_IP, IP_ADD_MEMBERSHIP, mreqn, 12);
    } else {
      this.sock.setOption(IPPROTO_IPV6, IPV6_CHECKSUM, 6);
      this.sock.setOption(IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex);
      this.sock.setOption(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255);
      this.sock.setOption(IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255);
      this.sock.setOption(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);
      // Sticky IPV6_PKTINFO (RFC 3542 6.1): every advert leaves from our primary
      // (link-local) address, never from a VIP the kernel might otherwise prefer.
      const pktinfo = Buffer.alloc(20);
      ipv6ToBytes(opts.primaryIp).copy(pktinfo, 0);
      pktinfo.writeInt32LE(ifindex, 16);
      this.sock.setOption(IPPROTO_IPV6, IPV6_PKTINFO, pktinfo, 20);
      if (opts.multicast) {
        const mreq = Buffer.alloc(20);
        ipv6ToBytes(opts.group ?? VRRP_MCAST_V6).copy(mreq, 0);
        mreq.writeInt32LE(ifindex, 16);
        this.sock.setOption(IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, mreq, 20);
      }
    }
    this.sock.on('message', (buf, source) => this.onMessage(buf, source));
    this.sock.on('error', (err) => this.emit('error', err));
  }

  private onMessage(buf: Buffer, source: string): void {
    // Copy: raw-socket reuses its receive buffer.
    const b = Buffer.from(buf);
    if (this.opts.family === 4) {
      const ip = decodeIpv4(b);
      if (!ip.ok) {
        this.emit('malformed', ip.reason);
        return;
      }
      if (ip.packet.protocol !== VRRP_PROTOCOL) {
        this.emit('malformed', 'bad-protocol');
        return;
      }
      const p: ReceivedPacket = { family: 4, src: ip.packet.src, dst: ip.packet.dst, ttl: ip.packet.ttl, payload: ip.packet.payload };
      this.emit('packet', p);
    } else {
      const p: ReceivedPacket = { family: 6, src: source.split('%')[0]!, payload: b, checksumVerified: true };
      this.emit('packet', p);
    }
  }

  /** Sends a VRRP message (already encoded, checksum included for IPv4) to dst. */
  send(message: Buffer, dst: string, src = this.opts.primaryIp): Promise<void> {
    if (this.closed) return Promise.resolve();
    const pkt = this.opts.family === 4 ? Buffer.concat([encodeIpv4Header(src, dst, message.length), message]) : message;
    return new Promise((resolve, reject) => {
      this.sock.send(pkt, 0, pkt.length, dst, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sock.close();
  }
}
