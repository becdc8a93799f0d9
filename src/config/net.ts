// Address helpers with the semantics ldirectord gets from Socket6: numeric literals are
// recognised the way Node's net.isIP does (anything else goes to the resolver, i.e.
// getaddrinfo), and IPv6 addresses are printed like glibc's inet_ntop/getnameinfo.
import { isIPv4, isIPv6 } from 'node:net';

export function isIPv4Literal(s: string): boolean {
  return isIPv4(s);
}

export function isIPv6Literal(s: string): boolean {
  return isIPv6(s);
}

/** 16-bit words of an IPv6 literal (caller checked isIPv6Literal). */
function ipv6Words(s: string): number[] {
  let str = s.replace(/%.*$/, '');
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(str);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    tail.push((o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!);
    str = str.slice(0, -v4[1]!.length);
    if (str.endsWith(':') && !str.endsWith('::')) str = str.slice(0, -1);
  }
  const [head, rest] = str.includes('::') ? str.split('::') : [str, undefined];
  const parse = (p: string | undefined): number[] => (p ? p.split(':').filter((x) => x !== '').map((x) => parseInt(x, 16)) : []);
  const h = parse(head);
  const r = parse(rest);
  if (rest === undefined) return [...h, ...tail];
  const fill = 8 - h.length - r.length - tail.length;
  return [...h, ...new Array<number>(fill).fill(0), ...r, ...tail];
}

/** glibc inet_ntop(AF_INET6) text: longest zero run (>= 2 words) compressed, embedded IPv4 for ::a.b.c.d and ::ffff:a.b.c.d. */
export function canonicalIPv6(s: string): string {
  const w = ipv6Words(s);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      out += `${w[6]! >> 8}.${w[6]! & 255}.${w[7]! >> 8}.${w[7]! & 255}`;
      break;
    }
    out += w[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
