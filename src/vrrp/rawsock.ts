// Typed face of haldir's own raw socket addon (native/rawsock, N-API in C). It replaces
// the `raw-socket` package, which sends only while its socket is not readable (a
// receive flood starved the master's adverts) and has no recvmsg() (no IPv6 hop limit,
// no destination address). See native/rawsock/src/rawsock.c for the why of each call.

import { createRequire } from 'node:module';

/** One received datagram with the ancillary data the kernel attached (recvmsg cmsgs). */
export interface RawDatagram {
  data: Buffer;
  /** Source address from recvfrom (absent for AF_PACKET). */
  src?: string;
  /** IPv6 destination address (IPV6_RECVPKTINFO); IPv4's is in the delivered IP header. */
  dst?: string;
  /** IPv6 hop limit (IPV6_RECVHOPLIMIT); IPv4's TTL is in the delivered IP header. */
  hopLimit?: number;
  ifindex?: number;
  /** Kernel receive time, ms since the epoch (SO_TIMESTAMPNS). */
  timestampMs?: number;
  /** Set when the datagram did not fit the receive buffer (MSG_TRUNC). */
  truncated?: number;
}

declare const receiverBrand: unique symbol;
export type ReceiveHandle = { readonly [receiverBrand]: true };

export interface RawSockAddon {
  /** socket(domain, SOCK_RAW, protocol); AF_PACKET: SOCK_DGRAM, htons(protocol). Non-blocking, close-on-exec. */
  socket(domain: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: number | Buffer): void;
  /** Synchronous sendto(); throws an Error with an errno `code`. */
  sendto(fd: number, domain: number, data: Buffer, address: string, ifindex: number, ethertype: number): number;
  close(fd: number): void;
  /** Polls fd on the libuv loop; at most `batch` datagrams per callback. */
  startReceive(fd: number, batch: number, cb: (err: (Error & { code?: string }) | null, datagrams: RawDatagram[]) => void): ReceiveHandle;
  stopReceive(h: ReceiveHandle): void;
}

let addon: RawSockAddon | undefined;

export class RawSockError extends Error {
  readonly code = 'VRRP-ADDON';
  constructor(cause: string) {
    super(`VRRP-ADDON: haldir's raw socket addon (native/rawsock) cannot be loaded (${cause}): run \`npm rebuild haldir-rawsock\` in haldir's directory (needs make, gcc and python3)`);
  }
}

export function rawsock(): RawSockAddon {
  try {
    addon ??= createRequire(import.meta.url)('haldir-rawsock') as RawSockAddon;
  } catch (e) {
    throw new RawSockError((e as Error).message.split('\n')[0]!);
  }
  return addon;
}

// Linux constants (<bits/socket.h>, <asm-generic/socket.h>, <linux/in.h>, <linux/in6.h>).
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_PACKET = 17;
export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
export const SO_BINDTODEVICE = 25;
export const SO_RCVBUFFORCE = 33;
export const SO_TIMESTAMPNS = 35;
export const IPPROTO_IP = 0;
export const IP_HDRINCL = 3;
export const IP_MULTICAST_IF = 32;
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const IP_ADD_MEMBERSHIP = 35;
export const IPPROTO_IPV6 = 41;
export const IPV6_CHECKSUM = 7;
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_MULTICAST_IF = 17;
export const IPV6_MULTICAST_HOPS = 18;
export const IPV6_MULTICAST_LOOP = 19;
export const IPV6_ADD_MEMBERSHIP = 20;
export const IPV6_RECVPKTINFO = 49;
export const IPV6_PKTINFO = 50;
export const IPV6_RECVHOPLIMIT = 51;
