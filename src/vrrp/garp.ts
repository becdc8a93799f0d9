// Announcing VIPs after a takeover (RFC 3768 6.4.2 / RFC 5798 6.4.2):
// IPv4: gratuitous ARP request (SPA = TPA = VIP, broadcast, from the interface MAC)
//   sent by iputils `arping -U -c 1 -I DEV VIP` (arping's -U mode is exactly the
//   frame keepalived builds).
// IPv6: unsolicited Neighbour Advertisement (RFC 4861 7.2.6) to ff02::1 with the
//   Override flag and our link-layer address, sent from Node through a raw ICMPv6
//   socket (the kernel fills in the ICMPv6 checksum; hop limit 255 as RFC 4861 requires).

import { readFileSync } from 'node:fs';
import { execFile } from '../runtime/exec.js';
import type { Logger } from '../runtime/logger.js';
import { ipv6ToBytes } from './codec.js';
import { interfaceIndex } from './transport.js';
import { AF_INET6, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF, SOL_SOCKET, SO_BINDTODEVICE, rawsock } from './rawsock.js';

export interface GarpSender {
  announce(vip: string, dev: string, count: number): Promise<void>;
}

export function arpingArgv(arpingPath: string, vip: string, dev: string): string[] {
  return [arpingPath, '-q', '-U', '-c', '1', '-I', dev, vip];
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
  Buffer.from(mac.split(':').map((h) => parseInt(h, 16))).copy(b, 26);
  return b;
}

function sendNa(vip: string, dev: string, count: number): void {
  const r = rawsock();
  const mac = readFileSync(`/sys/class/net/${dev}/address`, 'utf8').trim();
  const ifindex = interfaceIndex(dev);
  const fd = r.socket(AF_INET6, 58);
  try {
    r.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${dev}\0`));
    r.setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex);
    r.setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255);
    const pkt = unsolicitedNa(vip, mac);
    for (let i = 0; i < count; i++) r.sendto(fd, AF_INET6, pkt, 'ff02::1', ifindex, 0);
  } finally {
    r.close(fd);
  }
}

export function toolGarpSender(log: Logger, arpingPath = 'arping'): GarpSender {
  return {
    async announce(vip, dev, count) {
      try {
        if (vip.includes(':')) {
          sendNa(vip, dev, count);
          return;
        }
        // arping sends at once but then lingers a second for replies (integer -w only),
        // so a burst is `count` arpings started together, like keepalived's burst.
        const rs = await Promise.all(
          Array.from({ length: count }, () => execFile(arpingArgv(arpingPath, vip, dev), { timeoutMs: 3000 })),
        );
        const bad = rs.find((r) => r.error);
        if (bad) log.error(`VRRP-GARP: cannot run ${arpingPath} (${bad.error}); install iputils-arping or set HALDIR_VRRP_ARPING`);
      } catch (e) {
        log.error(`VRRP-GARP: announcing ${vip} on ${dev} failed: ${(e as Error).message}`);
      }
    },
  };
}
