import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fc } from '../helpers/fuzz.js';
import {
  AUTH_PASS,
  canonicalAddress,
  compareAddresses,
  decodeAdvert,
  decodeIpv4,
  encodeAdvert,
  encodeIpv4Header,
  internetChecksum,
  passAuthData,
} from '../../src/vrrp/codec.js';
import type { Advert, AddressFamily } from '../../src/vrrp/codec.js';

interface Fixture {
  name: string;
  family: AddressFamily;
  src: string;
  dst: string;
  hex: string;
  expect: { version: number; vrid: number; priority: number; intervalCs: number; addresses: string[]; authType?: number; authPass?: string; checksumForm?: string };
}
const fixtures = (JSON.parse(readFileSync(new URL('../../../test/vrrp/fixtures/keepalived-2.2.7-adverts.json', import.meta.url), 'utf8')) as { adverts: Fixture[] }).adverts;

for (const f of fixtures) {
  test(`decodes keepalived 2.2.7 bytes: ${f.name}`, () => {
    const bytes = Buffer.from(f.hex, 'hex');
    const d = decodeAdvert(bytes, { family: f.family, src: f.src, dst: f.dst });
    assert.ok(d.ok, JSON.stringify(d));
    assert.equal(d.advert.version, f.expect.version);
    assert.equal(d.advert.vrid, f.expect.vrid);
    assert.equal(d.advert.priority, f.expect.priority);
    assert.equal(d.advert.intervalCs, f.expect.intervalCs);
    assert.deepEqual(d.advert.addresses, f.expect.addresses);
    if (f.expect.checksumForm) assert.equal(d.checksumForm, f.expect.checksumForm);
    if (f.expect.authPass) {
      assert.equal(d.advert.authType, AUTH_PASS);
      assert.deepEqual(d.advert.authData, passAuthData(f.expect.authPass));
    }
  });
  test(`re-encodes byte-identically: ${f.name}`, () => {
    const bytes = Buffer.from(f.hex, 'hex');
    const d = decodeAdvert(bytes, { family: f.family, src: f.src, dst: f.dst });
    assert.ok(d.ok);
    const again = encodeAdvert(d.advert, { family: f.family, src: f.src, dst: f.dst });
    assert.equal(again.toString('hex'), f.hex);
  });
}

test('v3 IPv4: the RFC 9568 message-only checksum is accepted too, and a corrupted one is not', () => {
  const a: Advert = { version: 3, vrid: 7, priority: 100, intervalCs: 100, addresses: ['192.0.2.1'] };
  const rfc = encodeAdvert(a, { family: 4, v3Ipv4Checksum: 'message' });
  const d = decodeAdvert(rfc, { family: 4, src: '192.0.2.2', dst: '224.0.0.18' });
  assert.ok(d.ok);
  assert.equal(d.checksumForm, 'message');
  const bad = Buffer.from(rfc);
  bad[2] = 99;
  const e = decodeAdvert(bad, { family: 4, src: '192.0.2.2', dst: '224.0.0.18' });
  assert.equal(e.ok, false);
  assert.equal(!e.ok && e.reason, 'bad-checksum');
  // The keepalived form with the wrong source fails: the pseudo-header covers it.
  const ka = encodeAdvert(a, { family: 4, src: '192.0.2.2', dst: '224.0.0.18' });
  const wrongSrc = decodeAdvert(ka, { family: 4, src: '192.0.2.3', dst: '224.0.0.18' });
  assert.equal(!wrongSrc.ok && wrongSrc.reason, 'bad-checksum');
});

test('typed failures: truncated, version, type, count/length, checksum, family', () => {
  const good = encodeAdvert({ version: 2, vrid: 1, priority: 100, intervalCs: 100, addresses: ['10.0.0.1'], authType: 0 }, { family: 4 });
  const reason = (b: Buffer, family: AddressFamily = 4): string => {
    const d = decodeAdvert(b, { family });
    return d.ok ? 'ok' : d.reason;
  };
  assert.equal(reason(good), 'ok');
  assert.equal(reason(good.subarray(0, 5)), 'truncated');
  const v = Buffer.from(good);
  v[0] = 0x41;
  assert.equal(reason(v), 'bad-version');
  const t = Buffer.from(good);
  t[0] = 0x22;
  assert.equal(reason(t), 'bad-type');
  const c = Buffer.from(good);
  c[3] = 5;
  assert.equal(reason(c), 'bad-count');
  assert.equal(reason(Buffer.concat([good, Buffer.alloc(4)])), 'bad-length');
  const x = Buffer.from(good);
  x[9] ^= 1;
  assert.equal(reason(x), 'bad-checksum');
  assert.equal(reason(good, 6), 'bad-family');
  assert.throws(() => encodeAdvert({ version: 2, vrid: 1, priority: 1, intervalCs: 100, addresses: [] }, { family: 6 }), /VRRP-CODEC-FAMILY/);
});

test('checksum, addresses and IPv4 header helpers', () => {
  // RFC 1071 example words.
  assert.equal(internetChecksum(Buffer.from('0001f203f4f5f6f7', 'hex')), 0x220d);
  assert.equal(internetChecksum(Buffer.from('00', 'hex'), Buffer.from('01f203f4f5f6f7', 'hex')), 0x220d);
  assert.equal(canonicalAddress('FD00:0:0::0001'), 'fd00::1');
  assert.equal(canonicalAddress('::ffff:1.2.3.4'), '::ffff:1.2.3.4');
  assert.equal(canonicalAddress('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.ok(compareAddresses('10.0.0.9', '10.0.0.10') < 0);
  assert.deepEqual(passAuthData('ab'), Buffer.from('6162000000000000', 'hex'));
  const hdr = encodeIpv4Header('10.0.0.1', '224.0.0.18', 20);
  const pkt = decodeIpv4(Buffer.concat([hdr, Buffer.alloc(20, 7)]));
  assert.ok(pkt.ok);
  assert.equal(pkt.packet.ttl, 255);
  assert.equal(pkt.packet.protocol, 112);
  assert.equal(pkt.packet.src, '10.0.0.1');
  assert.equal(pkt.packet.payload.length, 20);
  assert.equal(internetChecksum(hdr), 0);
  assert.equal(decodeIpv4(Buffer.alloc(10)).ok, false);
});

test('property: encode/decode round-trips any valid advert (v2, v3/IPv4, v3/IPv6)', () => {
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
  const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((w) => canonicalAddress(w.map((x) => x.toString(16)).join(':')));
  const arb = fc.oneof(
    fc.record({ version: fc.constant(2 as const), family: fc.constant(4 as const), addrs: fc.array(v4, { maxLength: 20 }), interval: fc.integer({ min: 1, max: 255 }).map((s) => s * 100) }),
    fc.record({ version: fc.constant(3 as const), family: fc.constant(4 as const), addrs: fc.array(v4, { maxLength: 20 }), interval: fc.integer({ min: 1, max: 4095 }) }),
    fc.record({ version: fc.constant(3 as const), family: fc.constant(6 as const), addrs: fc.array(v6, { maxLength: 10 }), interval: fc.integer({ min: 1, max: 4095 }) }),
  );
  fc.assert(
    fc.property(arb, fc.integer({ min: 1, max: 255 }), fc.nat(255), fc.string({ maxLength: 8 }), (g, vrid, prio, pass) => {
      const a: Advert = { version: g.version, vrid, priority: prio, intervalCs: g.interval, addresses: g.addrs };
      if (g.version === 2) {
        a.authType = AUTH_PASS;
        a.authData = passAuthData(pass);
      }
      const src = g.family === 4 ? '10.1.1.1' : 'fe80::1';
      const dst = g.family === 4 ? '224.0.0.18' : 'ff02::12';
      const bytes = encodeAdvert(a, { family: g.family, src, dst });
      const d = decodeAdvert(bytes, { family: g.family, src, dst });
      assert.ok(d.ok, JSON.stringify(d));
      assert.deepEqual(d.advert, a);
    }),
    { numRuns: 300 },
  );
});

test('property: decode never throws on arbitrary bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom<AddressFamily>(4, 6), (u, family) => {
      const d = decodeAdvert(Buffer.from(u), { family, src: family === 4 ? '10.0.0.1' : 'fe80::1', dst: family === 4 ? '224.0.0.18' : 'ff02::12' });
      assert.equal(typeof d.ok, 'boolean');
      decodeIpv4(Buffer.from(u));
    }),
    { numRuns: 2000 },
  );
});
