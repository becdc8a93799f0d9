// Announcing VIPs after a takeover (RFC 3768 6.4.2 / RFC 5798 6.4.2):
// IPv4: gratuitous ARP request (SPA = TPA = VIP, broadcast, from the interface MAC)
//   sent by iputils `arping -U -c 1 -I DEV VIP`. raw-socket cannot open AF_PACKET
//   sockets, and arping's -U mode is exactly the frame keepalived builds.
// IPv6: unsolicited Neighbour Advertisement (RFC 4861 7.2.6) to ff02::1 with the
//   Override flag and our link-layer address, sent from Node through a raw ICMPv6
//   socket (the kernel fills in the ICMPv6 checksum; hop limit 255 as RFC 4861 requires).

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { execFile } from '../runtime/exec.js';
import type { Logger } from '../runtime/logger.js';
import { ipv6ToBytes } from './codec.js';
import { interfaceIndex } from './transport.js';

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

interface IcmpSock {
  send(b: Buffer, o: number, l: number, addr: string, cb: (err: Error | null) => void): void;
  setOption(level: number, opt: number, v: Buffer | number, len?: number): void;
  on(ev: 'error', fn: (e: Error) => void): void;
  close(): void;
}

function sendNa(vip: string, dev: string, count: number): Promise<void> {
  const raw = createRequire(import.meta.url)('raw-socket') as {
    createSocket(o: { addressFamily: number; protocol: number }): IcmpSock;
    AddressFamily: { IPv6: number };
  };
  const mac = readFileSync(`/sys/class/net/${dev}/address`, 'utf8').trim();
  const s = raw.createSocket({ addressFamily: raw.AddressFamily.IPv6, protocol: 58 });
  s.on('error', () => undefined);
  const devBuf = Buffer.from(`${dev}\0`);
  s.setOption(1, 25, devBuf, devBuf.length); // SO_BINDTODEVICE
  s.setOption(41, 17, interfaceIndex(dev)); // IPV6_MULTICAST_IF
  s.setOption(41, 18, 255); // IPV6_MULTICAST_HOPS
  const pkt = unsolicitedNa(vip, mac);
  const one = (): Promise<void> => new Promise((res) => s.send(pkt, 0, pkt.length, 'ff02::1', () => res()));
  return (async () => {
    for (let i = 0; i < count; i++) await one();
    s.close();
  })();
}

export function toolGarpSender(log: Logger, arpingPath = 'arping'): GarpSender {
  return {
    async announce(vip, dev, count) {
      try {
        if (vip.includes(':')) {
          await sendNa(vip, dev, count);
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
