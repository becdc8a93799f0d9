// src/vrrp/transport.ts: the pure classification of received datagrams (every
// malformed and bad-protocol path) and, as root, the real socket in a namespace pair:
// TTL / hop limit and destination of each packet come through from the kernel.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLan, isRoot, rootSkipReason } from '../helpers/netns/lan.js';
import { classifyDatagram } from '../../src/vrrp/transport.js';
import { encodeAdvert, encodeIpv4Header } from '../../src/vrrp/codec.js';
import type { Reported, WireSpec } from './helpers/wire.js';

const advert = encodeAdvert({ version: 3, vrid: 7, priority: 100, intervalCs: 100, addresses: ['10.0.0.100'] }, { family: 4, src: '10.0.0.3', dst: '224.0.0.18' });
const ipv4 = (proto = 112, ttl = 255): Buffer => {
  const h = encodeIpv4Header('10.0.0.3', '224.0.0.18', advert.length, ttl);
  h[9] = proto;
  return Buffer.concat([h, advert]);
};

test('IPv4 datagrams: header fields are read; truncated, bad header and other protocols are malformed', () => {
  const ok = classifyDatagram(4, { data: ipv4(), src: '10.0.0.3' });
  assert.ok(ok.ok);
  assert.deepEqual({ ...ok.packet, payload: ok.packet.payload.length }, { family: 4, src: '10.0.0.3', dst: '224.0.0.18', ttl: 255, payload: advert.length, timestampMs: undefined });
  assert.equal((classifyDatagram(4, { data: ipv4(112, 64) }) as { ok: true; packet: { ttl: number } }).packet.ttl, 64);
  const bad = (d: Buffer) => classifyDatagram(4, { data: d }) as { ok: false; reason: string; detail: string };
  assert.equal(bad(Buffer.alloc(12)).reason, 'truncated');
  const v6hdr = ipv4();
  v6hdr[0] = 0x65; // version 6 in an IPv4 socket
  assert.equal(bad(v6hdr).reason, 'bad-ip-header');
  const shortIhl = ipv4();
  shortIhl[0] = 0x44; // header length 16
  assert.equal(bad(shortIhl).reason, 'bad-ip-header');
  const longIhl = ipv4().subarray(0, 22);
  longIhl[0] = 0x46; // header length 24 > 22 bytes
  assert.equal(bad(longIhl).reason, 'truncated');
  const udp = bad(ipv4(17));
  assert.equal(udp.reason, 'bad-protocol');
  assert.match(udp.detail, /IP protocol 17, expected 112/);
  assert.equal((classifyDatagram(4, { data: ipv4(), truncated: 1 }) as { reason: string }).reason, 'truncated');
});

test('IPv6 datagrams: hop limit and destination from ancillary data; refused without them', () => {
  const ok = classifyDatagram(6, { data: advert, src: 'fe80::1%eth0', dst: 'ff02::12', hopLimit: 255, timestampMs: 5 });
  assert.ok(ok.ok);
  assert.equal(ok.packet.src, 'fe80::1');
  assert.equal(ok.packet.dst, 'ff02::12');
  assert.equal(ok.packet.ttl, 255);
  assert.equal(ok.packet.checksumVerified, true, 'the kernel verified the checksum (IPV6_CHECKSUM)');
  assert.equal(ok.packet.timestampMs, 5);
  for (const missing of [{ src: undefined }, { dst: undefined }, { hopLimit: undefined }]) {
    const r = classifyDatagram(6, { data: advert, src: 'fe80::1', dst: 'ff02::12', hopLimit: 255, ...missing });
    assert.equal((r as { reason: string }).reason, 'bad-ip-header', JSON.stringify(missing));
  }
});

test('real sockets: the transport reports TTL / hop limit and destination of each packet (IPv4 and IPv6)', { skip: isRoot() ? false : rootSkipReason }, async () => {
  const lan = await createLan(['a', 'b'], { label: 'vt' });
  const wire = new URL('./helpers/wire.js', import.meta.url).pathname;
  try {
    for (const family of [4, 6] as const) {
      const b = lan.nodes.b!;
      const a = lan.nodes.a!;
      const group = family === 4 ? '224.0.0.18' : 'ff02::12';
      const listener = lan.spawn('b', process.execPath, [wire, JSON.stringify({ mode: 'transport', family, ifname: 'eth0', src: family === 4 ? b.ip4 : b.ip6, ms: 4000 } satisfies WireSpec)]);
      let out = '';
      listener.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise((r) => listener.once('exit', r));
      const end = performance.now() + 10_000;
      while (!out.includes('listening')) {
        if (performance.now() > end) throw new Error('timed out waiting for the transport to listen');
        await new Promise((r) => setTimeout(r, 20));
      }
      const adv = { version: 3 as const, vrid: 9, priority: 100, intervalCs: 100, addresses: [family === 4 ? '10.0.0.100' : 'fd00::100'] };
      const src = family === 4 ? a.ip4 : a.ip6;
      const send = { mode: 'send', family, ifname: 'eth0', src, streams: [
        { dst: group, ttl: 255, pps: 50, count: 1, advert: adv },
        { dst: group, ttl: 7, pps: 50, count: 1, advert: adv },
        { dst: family === 4 ? b.ip4 : b.ip6, ttl: 255, pps: 50, count: 1, advert: adv },
      ] } satisfies WireSpec;
      await lan.exec('a', process.execPath, [wire, JSON.stringify(send)], { timeoutMs: 20_000 });
      await exited;
      const rep = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as Reported;
      const seen = rep.packets.map((p) => `${p.dst} ${p.ttl}`).sort();
      const want = [`${group} 255`, `${group} 7`, `${family === 4 ? b.ip4 : b.ip6} 255`].sort();
      assert.deepEqual(seen, want, `family ${family}: ${JSON.stringify(rep)}`);
      assert.ok(rep.packets.every((p) => p.src === (family === 4 ? a.ip4 : a.ip6) || p.src.startsWith('fe80:')), JSON.stringify(rep));
      assert.deepEqual(rep.malformed, []);
    }
  } finally {
    await lan.destroy();
  }
});
