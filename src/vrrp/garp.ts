// Announcing VIPs after a takeover (RFC 3768 6.4.2 / RFC 5798 6.4.2), from Node through
// haldir's raw socket addon: no process is started, so announcing stays cheap however
// often a master has to re-announce (keepalived builds the same frames itself).
// IPv4: gratuitous ARP request (RFC 5227 3: SPA = TPA = VIP, THA broadcast, from the
//   interface MAC), broadcast on an AF_PACKET socket (the kernel writes the Ethernet
//   header with our MAC); the frame iputils `arping -U` and keepalived send.
// IPv6: unsolicited Neighbour Advertisement (RFC 4861 7.2.6) to ff02::1 with the
//   Override flag and our link-layer address, on a raw ICMPv6 socket (the kernel fills
//   in the ICMPv6 checksum; hop limit 255 as RFC 4861 requires).

import { readFileSync } from 'node:fs';
import type { Logger } from '../runtime/logger.js';
import { ipv4ToBytes, ipv6ToBytes } from './codec.js';
import { interfaceIndex } from './transport.js';
import { AF_INET6, AF_PACKET, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF, SOL_SOCKET, SO_BINDTODEVICE, rawsock } from './rawsock.js';

export interface GarpSender {
  announce(vip: string, dev: string, count: number): Promise<void>;
}

const ETH_P_ARP = 0x0806;
const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';

const macBytes = (mac: string): Buffer => Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));

/** The 28-byte ARP body (RFC 826) of a gratuitous ARP request for `vip` from `mac`. */
export function gratuitousArp(vip: string, mac: string): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt16BE(1, 0); // hardware: Ethernet
  b.writeUInt16BE(0x0800, 2); // protocol: IPv4
  b[4] = 6;
  b[5] = 4;
  b.writeUInt16BE(1, 6); // request
  macBytes(mac).copy(b, 8);
  ipv4ToBytes(vip).copy(b, 14);
  macBytes(BROADCAST_MAC).copy(b, 18);
  ipv4ToBytes(vip).copy(b, 24);
  return b;
}

/** ICMPv6 type 136 body: flags (Override), target, option 2 (target link-layer address). */
export function unsolicitedNa(target: string, mac: string): Buffer {
  const b = Buffer.alloc(32);
  b[0] = 136;
  b[1] = 0;
  b.writeUInt32BE(0x20000000, 4); // O flag only: not a router, not solicited
  ipv6ToBytes(target).copy(b, 8);
  b[24] = 2;
  b[25] = 1;
  macBytes(mac).copy(b, 26);
  return b;
}

function interfaceMac(dev: string): string {
  return readFileSync(`/sys/class/net/${dev}/address`, 'utf8').trim();
}

function sendGarp(vip: string, dev: string, count: number): void {
  const r = rawsock();
  const ifindex = interfaceIndex(dev);
  const frame = gratuitousArp(vip, interfaceMac(dev));
  // Protocol 0: this socket only sends, so nothing is ever queued on it for receive.
  const fd = r.socket(AF_PACKET, 0);
  try {
    for (let i = 0; i < count; i++) r.sendto(fd, AF_PACKET, frame, BROADCAST_MAC, ifindex, ETH_P_ARP);
  } finally {
    r.close(fd);
  }
}

function sendNa(vip: string, dev: string, count: number): void {
  const r = rawsock();
  const ifindex = interfaceIndex(dev);
  const pkt = unsolicitedNa(vip, interfaceMac(dev));
  const fd = r.socket(AF_INET6, 58);
  try {
    r.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${dev}\0`));
    r.setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex);
    r.setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255);
    for (let i = 0; i < count; i++) r.sendto(fd, AF_INET6, pkt, 'ff02::1', ifindex, 0);
  } finally {
    r.close(fd);
  }
}

/** Sends `count` announcements back to back (keepalived's burst, vrrp_garp_interval 0). */
export function socketGarpSender(log: Logger): GarpSender {
  return {
    announce(vip, dev, count) {
      try {
        if (vip.includes(':')) sendNa(vip, dev, count);
        else sendGarp(vip, dev, count);
      } catch (e) {
        log.error(`VRRP-GARP: announcing ${vip} on ${dev} failed: ${(e as Error).message}; check that ${dev} is up and haldir-vrrp runs as root (CAP_NET_RAW)`);
      }
      return Promise.resolve();
    },
  };
}
