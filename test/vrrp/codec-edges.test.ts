// Codec edges the round-trip properties do not reach: RFC 1071 sums split at odd
// offsets, the address forms keepalived and `ip addr` print, the refusals of the
// encoder, what the decoder calls truncated versus a bad count, the IPv6 checksum left to
// the kernel, and the IPv4 header of IP_HDRINCL sends (RFC 791 3.1, RFC 3768 5.1.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressToBytes, AUTH_PASS, bytesToIpv4, canonicalAddress, compareAddresses, decodeAdvert, decodeIpv4, encodeAdvert,
  encodeIpv4Header, internetChecksum, ipv4ToBytes, ipv6ToBytes, passAuthData,
} from '../../src/vrrp/codec.js';
import type { Advert } from '../../src/vrrp/codec.js';

/** A copy of `b` with byte `i` set to `v`. */
const patched = (b: Buffer, i: number, v: number): Buffer => {
  const c = Buffer.from(b);
  c[i] = v;
  return c;
};

test('RFC 1071 sum: splitting the data anywhere, even at odd offsets, gives the same checksum', () => {
  const data = Buffer.from('450000541c4640004001ffffc0a80001c0a800c7ab', 'hex'); // odd length
  const whole = internetChecksum(data);
  for (let i = 0; i <= data.length; i++) {
    for (const j of [i, Math.min(data.length, i + 1), Math.min(data.length, i + 3)]) {
      assert.equal(internetChecksum(data.subarray(0, i), data.subarray(i, j), data.subarray(j)), whole, `split at ${i}/${j}`);
    }
  }
  // A trailing odd byte is padded with zero on the right (RFC 1071 4.1).
  assert.equal(internetChecksum(Buffer.from([0xab])), ~0xab00 & 0xffff);
  // End-around carry: 0xffff + 0x0001 folds to 0x0001, so the checksum is 0xfffe.
  assert.equal(internetChecksum(Buffer.from('ffff0001', 'hex')), 0xfffe);
  assert.equal(internetChecksum(), 0xffff);
});

test('addresses: IPv6 forms, zone ids, embedded IPv4, and clear errors for anything else', () => {
  assert.equal(ipv6ToBytes('::').toString('hex'), '0'.repeat(32));
  assert.equal(ipv6ToBytes('fe80::1%eth0').toString('hex'), 'fe80' + '0'.repeat(27) + '1');
  assert.equal(ipv6ToBytes('1::').toString('hex'), '0001' + '0'.repeat(28));
  assert.equal(ipv6ToBytes('::ffff:192.0.2.1').toString('hex'), '00000000000000000000ffffc0000201');
  assert.equal(ipv6ToBytes('2001:db8:1:2:3:4:5:6').toString('hex'), '20010db8000100020003000400050006');
  assert.equal(addressToBytes('192.0.2.1', 4).toString('hex'), 'c0000201');
  assert.equal(addressToBytes('2001:db8::1', 6).length, 16);
  assert.equal(bytesToIpv4(Buffer.from([0, 0, 10, 1, 2, 3]), 2), '10.1.2.3');
  assert.throws(() => ipv4ToBytes('10.0.0'), /^Error: VRRP-CODEC-ADDR: "10\.0\.0" is not an IPv4 address$/);
  assert.throws(() => ipv6ToBytes('2001:db8::g'), /^Error: VRRP-CODEC-ADDR: "2001:db8::g" is not an IPv6 address$/);
  assert.equal(canonicalAddress('192.0.2.1'), '192.0.2.1');
  // RFC 3768 6.4.3 tie-break compares numerically; IPv4 sorts before IPv6.
  assert.ok(compareAddresses('10.0.0.10', '10.0.0.9') > 0);
  assert.equal(compareAddresses('fe80::1', 'FE80:0::1'), 0);
  assert.ok(compareAddresses('255.255.255.255', '::1') < 0);
  assert.ok(compareAddresses('::1', '0.0.0.0') > 0);
});

test('encoder: v2 carries whole seconds and the PASS bytes; fields are masked to their widths', () => {
  const a: Advert = { version: 2, vrid: 51, priority: 150, intervalCs: 250, addresses: ['192.0.2.1', '192.0.2.2'], authType: AUTH_PASS, authData: passAuthData('secret-longer') };
  const b = encodeAdvert(a, { family: 4 });
  assert.equal(b.length, 8 + 2 * 4 + 8);
  assert.equal(b[0], 0x21, 'version 2, type 1 (RFC 3768 5.3.1)');
  assert.deepEqual([b[1], b[2], b[3], b[4], b[5]], [51, 150, 2, AUTH_PASS, 2], 'interval 2.5 s is sent as 2 s');
  assert.equal(b.subarray(16).toString('latin1'), 'secret-l', 'PASS: the first 8 characters');
  assert.equal(internetChecksum(b), 0);
  // No auth given: type 0 and zero bytes.
  const none = encodeAdvert({ ...a, authType: undefined, authData: undefined }, { family: 4 });
  assert.equal(none[4], 0);
  assert.equal(none.subarray(16).toString('hex'), '0000000000000000');
  // v3: 12-bit centisecond interval after 4 reserved bits (RFC 5798 5.2.7).
  const v3 = encodeAdvert({ version: 3, vrid: 300, priority: 256 + 7, intervalCs: 0x1234, addresses: [] }, { family: 4, v3Ipv4Checksum: 'message' });
  assert.deepEqual([v3[0], v3[1], v3[2], v3.readUInt16BE(4)], [0x31, 300 & 0xff, 7, 0x234]);
});

test('encoder refusals: too many addresses, v3 over IPv4 without the pseudo-header addresses', () => {
  const many = Array.from({ length: 256 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
  assert.throws(() => encodeAdvert({ version: 3, vrid: 1, priority: 100, intervalCs: 100, addresses: many }, { family: 4, v3Ipv4Checksum: 'message' }), /^Error: VRRP-CODEC-COUNT: at most 255 addresses fit one advert$/);
  assert.equal(encodeAdvert({ version: 3, vrid: 1, priority: 100, intervalCs: 100, addresses: many.slice(0, 255) }, { family: 4, v3Ipv4Checksum: 'message' })[3], 255);
  assert.throws(() => encodeAdvert({ version: 3, vrid: 1, priority: 100, intervalCs: 100, addresses: [] }, { family: 4, src: '10.0.0.1' }), /^Error: VRRP-CODEC-PSEUDO: /);
  assert.throws(() => encodeAdvert({ version: 3, vrid: 1, priority: 100, intervalCs: 100, addresses: [] }, { family: 4, dst: '224.0.0.18' }), /^Error: VRRP-CODEC-PSEUDO: /);
});

test('v3 over IPv6: the checksum is the kernel\'s when addresses are unknown, and checked in software otherwise', () => {
  const a: Advert = { version: 3, vrid: 9, priority: 100, intervalCs: 100, addresses: ['2001:db8::1'] };
  const kernel = encodeAdvert(a, { family: 6 });
  assert.equal(kernel.readUInt16BE(6), 0, 'left to IPV6_CHECKSUM');
  assert.equal(encodeAdvert(a, { family: 6, src: 'fe80::1' }).readUInt16BE(6), 0);
  const fail = decodeAdvert(kernel, { family: 6 });
  assert.deepEqual(fail.ok ? 'ok' : [fail.reason, fail.detail], ['bad-checksum', 'IPv6 checksum needs src and dst']);
  assert.equal(decodeAdvert(kernel, { family: 6, src: 'fe80::1' }).ok, false);
  const verified = decodeAdvert(kernel, { family: 6, checksumVerified: true });
  assert.ok(verified.ok && verified.checksumForm === 'pseudo-header');
  const sw = encodeAdvert(a, { family: 6, src: 'fe80::1', dst: 'ff02::12' });
  assert.ok(decodeAdvert(sw, { family: 6, src: 'fe80::1', dst: 'ff02::12' }).ok);
  const other = decodeAdvert(sw, { family: 6, src: 'fe80::2', dst: 'ff02::12' });
  assert.deepEqual(other.ok ? 'ok' : [other.reason, other.detail], ['bad-checksum', 'VRRPv3 IPv6 pseudo-header checksum']);
});

test('decoder: short of the fixed part is truncated, short of the addresses is a bad count; interval 0 is refused', () => {
  const v2 = encodeAdvert({ version: 2, vrid: 1, priority: 100, intervalCs: 100, addresses: ['10.0.0.1'] }, { family: 4 });
  const r = (b: Buffer) => { const d = decodeAdvert(b, { family: 4 }); return d.ok ? 'ok' : `${d.reason}: ${d.detail}`; };
  assert.equal(r(v2.subarray(0, 7)), 'truncated: 7 bytes, a VRRP header needs 8');
  assert.equal(r(v2.subarray(0, 12)), 'truncated: count 1 needs 20 bytes, got 12', 'v2 needs 16 bytes before any address');
  assert.equal(r(v2.subarray(0, 16)), 'bad-count: count 1 needs 20 bytes, got 16');
  assert.equal(r(Buffer.concat([v2, Buffer.alloc(1)])), 'bad-length: count 1 needs 20 bytes, got 21');
  const v3 = encodeAdvert({ version: 3, vrid: 1, priority: 100, intervalCs: 100, addresses: ['10.0.0.1'] }, { family: 4, v3Ipv4Checksum: 'message' });
  assert.equal(r(v3.subarray(0, 8)), 'bad-count: count 1 needs 12 bytes, got 8');
  const zero = encodeAdvert({ version: 3, vrid: 1, priority: 100, intervalCs: 0, addresses: [] }, { family: 4, v3Ipv4Checksum: 'message' });
  assert.equal(r(zero), 'bad-interval: advertisement interval 0');
  const zero2 = encodeAdvert({ version: 2, vrid: 1, priority: 100, intervalCs: 50, addresses: [] }, { family: 4 });
  assert.equal(r(zero2), 'bad-interval: advertisement interval 0', 'v2: under a second rounds to 0');
  assert.equal(r(patched(v2, 0, 0x51)), 'bad-version: version 5');
  assert.equal(r(patched(v2, 0, 0x23)), 'bad-type: type 3');
  const d = decodeAdvert(v2, { family: 4 });
  assert.ok(d.ok);
  assert.deepEqual([d.advert.authType, d.advert.authData?.length, d.checksumForm], [0, 8, 'message']);
});

test('IPv4 header: what keepalived sends, and what a raw socket hands back', () => {
  const h = encodeIpv4Header('192.0.2.5', '224.0.0.18', 20);
  assert.equal(h.toString('hex').slice(0, 20), '45c00028000000' + '00' + 'ff' + '70', 'v4, IHL 5, CS6, length 40, TTL 255, proto 112');
  assert.equal(bytesToIpv4(h, 12), '192.0.2.5');
  assert.equal(bytesToIpv4(h, 16), '224.0.0.18');
  assert.equal(internetChecksum(h), 0);
  assert.equal(encodeIpv4Header('192.0.2.5', '192.0.2.6', 8, 64)[8], 64);
  const payload = Buffer.alloc(20, 7);
  // The total length bounds the payload: trailing bytes after it are not VRRP.
  const padded = decodeIpv4(Buffer.concat([h, payload, Buffer.alloc(6, 9)]));
  assert.ok(padded.ok);
  assert.deepEqual([padded.packet.payload.length, padded.packet.dst], [20, '224.0.0.18']);
  // A total length beyond the buffer (or below the header) is not trusted.
  const lying = Buffer.concat([h, payload.subarray(0, 10)]);
  const l = decodeIpv4(lying);
  assert.ok(l.ok && l.packet.payload.length === 10);
  const tiny = Buffer.from(h);
  tiny.writeUInt16BE(10, 2);
  const t = decodeIpv4(Buffer.concat([tiny, payload]));
  assert.ok(t.ok && t.packet.payload.length === 20);
  // Options: IHL 6 puts the payload 24 bytes in.
  const opt = patched(Buffer.concat([h, Buffer.alloc(4), payload]), 0, 0x46);
  opt.writeUInt16BE(44, 2);
  const o = decodeIpv4(opt);
  assert.ok(o.ok && o.packet.payload.equals(payload));
  const reason = (b: Buffer) => { const d = decodeIpv4(b); return d.ok ? 'ok' : `${d.reason}: ${d.detail}`; };
  assert.equal(reason(h.subarray(0, 19)), 'truncated: 19 bytes, an IPv4 header needs 20');
  assert.equal(reason(patched(h, 0, 0x65)), 'bad-ip-header: version 6, header length 20');
  assert.equal(reason(patched(h, 0, 0x44)), 'bad-ip-header: version 4, header length 16');
  assert.equal(reason(patched(h, 0, 0x4f)), 'truncated: header length 60 > 20');
});
