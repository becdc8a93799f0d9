// Pure VRRP packet codec: bytes <-> Advert. No sockets, no clocks.
// VRRPv2: RFC 3768 section 5. VRRPv3: RFC 5798 / RFC 9568 section 5.
// The checksum forms mirror keepalived 2.2.7 (vrrp.c: vrrp_build_vrrp / vrrp_in_chk):
// v2 covers the VRRP message only; v3 over IPv4 is computed by keepalived over a
// pseudo-header (src, dst, 0, 112, length) although RFC 9568 5.2.8 says message only,
// so we send keepalived's form and accept both; v3 over IPv6 uses the RFC 8200 8.1
// pseudo-header (the kernel computes it for us through IPV6_CHECKSUM when sending).

import { isIPv4, isIPv6 } from 'node:net';
import { canonicalIPv6 } from '../config/net.js';

export const VRRP_PROTOCOL = 112;
export const VRRP_MCAST_V4 = '224.0.0.18';
export const VRRP_MCAST_V6 = 'ff02::12';
/** RFC 3768 5.3.1 / RFC 5798 5.2.1: the only packet type. */
export const VRRP_TYPE_ADVERT = 1;
export const AUTH_NONE = 0;
export const AUTH_PASS = 1;
/** RFC 3768 5.3.6: auth type 2 (AH) is deprecated; keepalived still parses it. */
export const AUTH_AH = 2;

export type VrrpVersion = 2 | 3;
export type AddressFamily = 4 | 6;
export type ChecksumForm = 'message' | 'pseudo-header';

export interface Advert {
  version: VrrpVersion;
  vrid: number;
  priority: number;
  /** Advertisement interval in centiseconds (v2 carries whole seconds: stored x100). */
  intervalCs: number;
  /** Virtual addresses in the order they were carried. */
  addresses: string[];
  /** v2 only: authentication type (0 none, 1 PASS, 2 AH). */
  authType?: number;
  /** v2 only: the 8 authentication bytes (for PASS, the zero-padded password). */
  authData?: Buffer;
}

export type DecodeFailure =
  | 'truncated'
  | 'bad-version'
  | 'bad-type'
  | 'bad-length'
  | 'bad-count'
  | 'bad-checksum'
  | 'bad-interval'
  | 'bad-family';

export type DecodeResult =
  | { ok: true; advert: Advert; checksumForm: ChecksumForm }
  | { ok: false; reason: DecodeFailure; detail: string };

export interface EncodeOptions {
  family: AddressFamily;
  /** Needed for v3 checksums over a pseudo-header. */
  src?: string;
  dst?: string;
  /** v3 over IPv4 only: 'pseudo-header' (keepalived 2.2.7, default) or 'message' (RFC 9568). */
  v3Ipv4Checksum?: ChecksumForm;
}

export interface DecodeContext {
  family: AddressFamily;
  src?: string;
  dst?: string;
  /**
   * IPv6 raw sockets with IPV6_CHECKSUM set have the kernel verify the checksum;
   * set true to skip the software check (the source/destination may be unknown).
   */
  checksumVerified?: boolean;
}

/** RFC 1071 Internet checksum over the concatenation of the given buffers. */
export function internetChecksum(...parts: Buffer[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const b of parts) {
    let i = 0;
    if (odd !== undefined && b.length > 0) {
      sum += (odd << 8) | b[0]!;
      odd = undefined;
      i = 1;
    }
    for (; i + 1 < b.length; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
    if (i < b.length) odd = b[i]!;
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ipv4ToBytes(addr: string): Buffer {
  if (!isIPv4(addr)) throw new Error(`VRRP-CODEC-ADDR: "${addr}" is not an IPv4 address`);
  return Buffer.from(addr.split('.').map((p) => Number(p)));
}

export function ipv6ToBytes(addr: string): Buffer {
  const bare = addr.split('%')[0]!;
  if (!isIPv6(bare)) throw new Error(`VRRP-CODEC-ADDR: "${addr}" is not an IPv6 address`);
  let s = bare;
  // An embedded dotted quad (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = ipv4ToBytes(v4[1]!);
    s = s.slice(0, -v4[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  const words = [...h, ...fill, ...t];
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(parseInt(w, 16), i * 2));
  return out;
}

export function bytesToIpv4(b: Buffer, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** Text as inet_ntop(3) prints it (what keepalived and `ip addr` show): src/config/net.ts. */
export function bytesToIpv6(b: Buffer, off = 0): string {
  const w: string[] = [];
  for (let i = 0; i < 8; i++) w.push(b.readUInt16BE(off + i * 2).toString(16));
  return canonicalIPv6(w.join(':'));
}

export function addressToBytes(addr: string, family: AddressFamily): Buffer {
  return family === 4 ? ipv4ToBytes(addr) : ipv6ToBytes(addr);
}

/** Canonical text form, so addresses compare equal whatever way they were written. */
export function canonicalAddress(addr: string): string {
  if (isIPv4(addr)) return addr.split('.').map((p) => String(Number(p))).join('.');
  return bytesToIpv6(ipv6ToBytes(addr));
}

/** Compares two addresses of one family numerically (RFC 3768 6.4.3 tie-break on primary IP). */
export function compareAddresses(a: string, b: string): number {
  const fa = isIPv4(a) ? 4 : 6;
  const fb = isIPv4(b) ? 4 : 6;
  if (fa !== fb) return fa - fb;
  return Buffer.compare(addressToBytes(a, fa), addressToBytes(b, fb));
}

/** Pseudo-header for IPv4 (keepalived's v3 form): src, dst, 0, protocol, length. */
function pseudoHeaderV4(src: string, dst: string, length: number): Buffer {
  const p = Buffer.alloc(12);
  ipv4ToBytes(src).copy(p, 0);
  ipv4ToBytes(dst).copy(p, 4);
  p[8] = 0;
  p[9] = VRRP_PROTOCOL;
  p.writeUInt16BE(length, 10);
  return p;
}

/** RFC 8200 8.1 upper-layer pseudo-header: src, dst, 32-bit length, 3 zero bytes, next header. */
function pseudoHeaderV6(src: string, dst: string, length: number): Buffer {
  const p = Buffer.alloc(40);
  ipv6ToBytes(src).copy(p, 0);
  ipv6ToBytes(dst).copy(p, 16);
  p.writeUInt32BE(length, 32);
  p[39] = VRRP_PROTOCOL;
  return p;
}

/** The 8 bytes of PASS authentication: the first 8 characters, zero padded (RFC 2338 5.3.7). */
export function passAuthData(password: string): Buffer {
  const out = Buffer.alloc(8);
  Buffer.from(password, 'utf8').copy(out, 0, 0, 8);
  return out;
}

export function encodeAdvert(a: Advert, opts: EncodeOptions): Buffer {
  if (a.version === 2 && opts.family !== 4) {
    throw new Error('VRRP-CODEC-FAMILY: VRRPv2 carries IPv4 only; use version 3 for IPv6');
  }
  const alen = opts.family === 4 ? 4 : 16;
  const count = a.addresses.length;
  if (count > 255) throw new Error('VRRP-CODEC-COUNT: at most 255 addresses fit one advert');
  const len = 8 + count * alen + (a.version === 2 ? 8 : 0);
  const b = Buffer.alloc(len);
  b[0] = (a.version << 4) | VRRP_TYPE_ADVERT;
  b[1] = a.vrid & 0xff;
  b[2] = a.priority & 0xff;
  b[3] = count;
  if (a.version === 2) {
    b[4] = a.authType ?? AUTH_NONE;
    b[5] = Math.floor(a.intervalCs / 100) & 0xff;
  } else {
    b.writeUInt16BE(a.intervalCs & 0x0fff, 4);
  }
  a.addresses.forEach((addr, i) => addressToBytes(addr, opts.family).copy(b, 8 + i * alen));
  if (a.version === 2 && a.authData) a.authData.copy(b, 8 + count * alen, 0, 8);
  b.writeUInt16BE(checksumFor(b, a.version, opts), 6);
  return b;
}

function checksumFor(msg: Buffer, version: VrrpVersion, opts: EncodeOptions): number {
  if (version === 2) return internetChecksum(msg);
  if (opts.family === 6) {
    if (!opts.src || !opts.dst) return 0; // left to the kernel (IPV6_CHECKSUM)
    return internetChecksum(pseudoHeaderV6(opts.src, opts.dst, msg.length), msg);
  }
  if ((opts.v3Ipv4Checksum ?? 'pseudo-header') === 'message') return internetChecksum(msg);
  if (!opts.src || !opts.dst) {
    throw new Error('VRRP-CODEC-PSEUDO: v3 over IPv4 needs src and dst for the pseudo-header checksum');
  }
  return internetChecksum(pseudoHeaderV4(opts.src, opts.dst, msg.length), msg);
}

function fail(reason: DecodeFailure, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}

export function decodeAdvert(b: Buffer, ctx: DecodeContext): DecodeResult {
  if (b.length < 8) return fail('truncated', `${b.length} bytes, a VRRP header needs 8`);
  const version = b[0]! >> 4;
  const type = b[0]! & 0x0f;
  if (version !== 2 && version !== 3) return fail('bad-version', `version ${version}`);
  if (type !== VRRP_TYPE_ADVERT) return fail('bad-type', `type ${type}`);
  if (version === 2 && ctx.family !== 4) return fail('bad-family', 'VRRPv2 over IPv6');
  const count = b[3]!;
  const alen = ctx.family === 4 ? 4 : 16;
  const need = 8 + count * alen + (version === 2 ? 8 : 0);
  if (b.length < need) {
    return fail(b.length < 8 + (version === 2 ? 8 : 0) ? 'truncated' : 'bad-count', `count ${count} needs ${need} bytes, got ${b.length}`);
  }
  // Trailing bytes: keepalived rejects a length that does not match the count.
  if (b.length !== need) return fail('bad-length', `count ${count} needs ${need} bytes, got ${b.length}`);
  const msg = b.subarray(0, need);
  let form: ChecksumForm = 'message';
  if (version === 2) {
    if (internetChecksum(msg) !== 0) return fail('bad-checksum', 'VRRPv2 message checksum');
  } else if (ctx.family === 6) {
    form = 'pseudo-header';
    if (!ctx.checksumVerified) {
      if (!ctx.src || !ctx.dst) return fail('bad-checksum', 'IPv6 checksum needs src and dst');
      if (internetChecksum(pseudoHeaderV6(ctx.src, ctx.dst, need), msg) !== 0) {
        return fail('bad-checksum', 'VRRPv3 IPv6 pseudo-header checksum');
      }
    }
  } else {
    const pseudoOk =
      !!ctx.src && !!ctx.dst && internetChecksum(pseudoHeaderV4(ctx.src, ctx.dst, need), msg) === 0;
    if (pseudoOk) form = 'pseudo-header';
    else if (internetChecksum(msg) !== 0) return fail('bad-checksum', 'VRRPv3 IPv4 checksum (neither form)');
  }
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    addresses.push(ctx.family === 4 ? bytesToIpv4(b, 8 + i * 4) : bytesToIpv6(b, 8 + i * 16));
  }
  const advert: Advert = {
    version,
    vrid: b[1]!,
    priority: b[2]!,
    intervalCs: version === 2 ? b[5]! * 100 : b.readUInt16BE(4) & 0x0fff,
    addresses,
  };
  if (version === 2) {
    advert.authType = b[4]!;
    advert.authData = Buffer.from(b.subarray(8 + count * 4, need));
  }
  if (advert.intervalCs === 0) return fail('bad-interval', 'advertisement interval 0');
  return { ok: true, advert, checksumForm: form };
}

export type Ipv4DecodeFailure = 'truncated' | 'bad-ip-header' | 'bad-protocol';

export interface Ipv4Packet {
  src: string;
  dst: string;
  ttl: number;
  protocol: number;
  payload: Buffer;
}

/**
 * Splits what an IPv4 raw socket hands us (IP header included, RFC 791 3.1) into
 * header fields and payload; the receive path needs the TTL (RFC 3768 7.1: must be
 * 255) and the addresses (the source is the peer's primary IP, the pair feeds the
 * v3 pseudo-header checksum).
 */
export function decodeIpv4(b: Buffer):
  | { ok: true; packet: Ipv4Packet }
  | { ok: false; reason: Ipv4DecodeFailure; detail: string } {
  if (b.length < 20) return { ok: false, reason: 'truncated', detail: `${b.length} bytes, an IPv4 header needs 20` };
  const ver = b[0]! >> 4;
  const ihl = (b[0]! & 0x0f) * 4;
  if (ver !== 4 || ihl < 20) return { ok: false, reason: 'bad-ip-header', detail: `version ${ver}, header length ${ihl}` };
  if (b.length < ihl) return { ok: false, reason: 'truncated', detail: `header length ${ihl} > ${b.length}` };
  const total = b.readUInt16BE(2);
  // Linux hands raw sockets the real total length; trust the smaller of the two.
  const end = total >= ihl && total <= b.length ? total : b.length;
  return {
    ok: true,
    packet: {
      src: bytesToIpv4(b, 12),
      dst: bytesToIpv4(b, 16),
      ttl: b[8]!,
      protocol: b[9]!,
      payload: b.subarray(ihl, end),
    },
  };
}

/** A 20-byte IPv4 header for IP_HDRINCL sends (the kernel fills id and header checksum when 0). */
export function encodeIpv4Header(src: string, dst: string, payloadLength: number, ttl = 255): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h[1] = 0xc0; // DSCP CS6 (network control), as keepalived sends
  h.writeUInt16BE(20 + payloadLength, 2);
  h[8] = ttl;
  h[9] = VRRP_PROTOCOL;
  ipv4ToBytes(src).copy(h, 12);
  ipv4ToBytes(dst).copy(h, 16);
  h.writeUInt16BE(internetChecksum(h), 10);
  return h;
}
