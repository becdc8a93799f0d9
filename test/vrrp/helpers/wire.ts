// A packet tool for VRRP tests, run inside a test's network namespace
// (`ip netns exec NS node dist/test/vrrp/helpers/wire.js JSON`). Bounded in count and
// time by its spec; prints one JSON result line and exits.
//   send:    streams of VRRP adverts or junk (protocol 112) at a given rate, TTL/hop
//            limit and destination, from this namespace's interface
//   capture: IPv4 VRRP packets seen on the interface with the kernel's receive
//            timestamp, TTL and destination

import { VRRP_MCAST_V4, decodeAdvert, decodeIpv4, encodeAdvert, encodeIpv4Header, ipv4ToBytes } from '../../../src/vrrp/codec.js';
import type { Advert } from '../../../src/vrrp/codec.js';
import { interfaceIndex, VrrpTransport } from '../../../src/vrrp/transport.js';
import {
  AF_INET,
  AF_INET6,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPV6_CHECKSUM,
  IPV6_MULTICAST_HOPS,
  IPV6_MULTICAST_IF,
  IPV6_UNICAST_HOPS,
  IP_ADD_MEMBERSHIP,
  IP_HDRINCL,
  SOL_SOCKET,
  SO_BINDTODEVICE,
  SO_RCVBUFFORCE,
  SO_TIMESTAMPNS,
  rawsock,
} from '../../../src/vrrp/rawsock.js';

export interface Stream {
  dst: string;
  /** IPv4 TTL / IPv6 hop limit on sending. */
  ttl: number;
  pps: number;
  count: number;
  /** An advert, or junk: random bytes of 1..60 (a wrong-length VRRP message). */
  advert?: Advert;
}

export type WireSpec =
  | { mode: 'send'; family: 4 | 6; ifname: string; src: string; streams: Stream[] }
  | { mode: 'capture'; family: 4 | 6; ifname: string; src: string; ms: number }
  /** What the transport under test (src/vrrp/transport.ts) reports. */
  | { mode: 'transport'; family: 4 | 6; ifname: string; src: string; ms: number };

export interface Reported {
  packets: { src: string; dst?: string; ttl?: number; length: number }[];
  malformed: string[];
}

export interface Captured {
  src: string;
  dst?: string;
  ttl?: number;
  ts?: number;
  vrid?: number;
  priority?: number;
}

function sender(spec: Extract<WireSpec, { mode: 'send' }>): Promise<number[]> {
  const r = rawsock();
  const v4 = spec.family === 4;
  const ifindex = interfaceIndex(spec.ifname);
  const fds = spec.streams.map((st) => {
    const fd = r.socket(v4 ? AF_INET : AF_INET6, 112);
    r.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${spec.ifname}\0`));
    if (v4) r.setsockopt(fd, IPPROTO_IP, IP_HDRINCL, 1);
    else {
      r.setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, 6);
      r.setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex);
      r.setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, st.ttl);
      r.setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, st.ttl);
    }
    return fd;
  });
  const packet = (st: Stream): Buffer => {
    const msg = st.advert
      ? encodeAdvert(st.advert, { family: spec.family, src: spec.src, dst: st.dst })
      : Buffer.from(Array.from({ length: 1 + Math.floor(Math.random() * 60) }, () => Math.floor(Math.random() * 256)));
    return v4 ? Buffer.concat([encodeIpv4Header(spec.src, st.dst, msg.length, st.ttl), msg]) : msg;
  };
  const sent = spec.streams.map(() => 0);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const tick = (): void => {
      const elapsed = performance.now() - t0;
      let done = true;
      spec.streams.forEach((st, i) => {
        const due = Math.min(st.count, Math.floor((elapsed * st.pps) / 1000) + 1);
        for (; sent[i]! < due; sent[i]!++) {
          try {
            r.sendto(fds[i]!, v4 ? AF_INET : AF_INET6, packet(st), st.dst, ifindex, 0);
          } catch {
            /* ENOBUFS under load: counted as not sent */
            sent[i]!--;
            break;
          }
        }
        if (sent[i]! < st.count) done = false;
      });
      if (done || elapsed > 120_000) {
        clearInterval(timer);
        for (const fd of fds) r.close(fd);
        resolve(sent);
      }
    };
    const timer = setInterval(tick, 5);
    tick();
  });
}

/** IPv4 only; its own socket (not the transport under test), so it observes independently. */
function capture(spec: Extract<WireSpec, { mode: 'capture' }>): Promise<Captured[]> {
  const r = rawsock();
  const fd = r.socket(AF_INET, 112);
  r.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${spec.ifname}\0`));
  r.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
  r.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, 1 << 22);
  const mreqn = Buffer.alloc(12);
  ipv4ToBytes(VRRP_MCAST_V4).copy(mreqn, 0);
  ipv4ToBytes(spec.src).copy(mreqn, 4);
  mreqn.writeInt32LE(interfaceIndex(spec.ifname), 8);
  r.setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreqn);
  const seen: Captured[] = [];
  const h = r.startReceive(fd, 256, (_err, ds) => {
    for (const d of ds) {
      const ip = decodeIpv4(d.data);
      if (!ip.ok) continue;
      const a = decodeAdvert(ip.packet.payload, { family: 4, src: ip.packet.src, dst: ip.packet.dst });
      seen.push({ src: ip.packet.src, dst: ip.packet.dst, ttl: ip.packet.ttl, ts: d.timestampMs, ...(a.ok ? { vrid: a.advert.vrid, priority: a.advert.priority } : {}) });
    }
  });
  return new Promise((resolve) =>
    setTimeout(() => {
      r.stopReceive(h);
      r.close(fd);
      resolve(seen);
    }, spec.ms),
  );
}

function listen(spec: Extract<WireSpec, { mode: 'transport' }>): Promise<Reported> {
  const t = new VrrpTransport({ family: spec.family, ifname: spec.ifname, primaryIp: spec.src, multicast: true });
  const out: Reported = { packets: [], malformed: [] };
  t.on('packet', (p) => out.packets.push({ src: p.src, dst: p.dst, ttl: p.ttl, length: p.payload.length }));
  t.on('malformed', (reason) => out.malformed.push(reason));
  process.stdout.write('listening\n');
  return new Promise((resolve) =>
    setTimeout(() => {
      t.close();
      resolve(out);
    }, spec.ms),
  );
}

const arg = process.argv[2];
if (arg) {
  const spec = JSON.parse(arg) as WireSpec;
  // Advert addresses arrive as plain JSON.
  const out = spec.mode === 'send' ? await sender(spec) : spec.mode === 'capture' ? await capture(spec) : await listen(spec);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
