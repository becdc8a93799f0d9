// real= lines, resolved after the whole section is read (as ldirectord does, because a
// service name's port depends on the section's final protocol):
// _ld_read_config_real_resolve (L2002), add_real_server_range (L2078), add_real_server (L2127).
import type { ForwardMethod } from './model.js';
import type { RawVirtual } from './raw.js';
import { didYouMean } from './diagnostics.js';
import { REAL_FORWARD, REAL_LOWER, REAL_REQUEST, REAL_SPEC, REAL_UPPER, REAL_WEIGHT } from './syntax.js';
import { intToIpv4, ipv4ToInt } from './net.js';
import { resolveHost, resolvePort, type CfParser } from './parse.js';

/** Largest IPv4 range haldir expands (ldirectord has no limit but would take hours). */
export const MAX_REAL_RANGE = 65536;

/** address|port -> first real, per virtual: duplicate detection stays linear for big ranges. */
const realIndex = new WeakMap<RawVirtual, Map<string, RawVirtual['reals'][number]>>();

export interface PendingReal {
  readonly spec: string;
  readonly line: number;
  readonly col: number;
}

export function resolveReals(p: CfParser, v: RawVirtual, todo: readonly PendingReal[]): void {
  for (const t of todo) resolveReal(p, v, t);
}

function resolveReal(p: CfParser, v: RawVirtual, t: PendingReal): void {
  const { line, col, spec } = t;
  const m = REAL_SPEC.exec(spec);
  if (!m) {
    p.diag.error('E-REAL-SYNTAX', line, col, `invalid real server \`${spec}\`: write real=ADDRESS[:PORT] gate|masq|ipip [WEIGHT] ["REQUEST", "RECEIVE"] [l:N] [u:N]${/\s/.test(spec) ? '' : ' (the forwarding method is missing)'}`);
    return;
  }
  if (m.index > 0) p.diag.warn('W-TRAILING', line, col, `text \`${spec.slice(0, m.index)}\` before the real server address is ignored; remove it`);
  const ip1 = m[1]!;
  const ip2 = m[3];
  const portText = m[5] ?? '0';
  const flags = m[6]!;
  const flagsCol = col + spec.length - flags.length;
  const first = resolveHost(p.resolver, ip1, v.family);
  if (first === undefined) {
    p.diag.error('E-RESOLVE', line, col + m.index, `invalid address \`${ip1}\` for real server (could not resolve host): use a numeric ${v.family === 'inet' ? 'IPv4' : 'IPv6 ([...])'} address or a resolvable name`);
    return;
  }
  const port = resolvePort(p.resolver, portText, '');
  if (port === undefined) {
    p.diag.error('E-RESOLVE', line, col + m.index + m[0].indexOf(':' + portText) + 1, `invalid port \`${portText}\` for real server (could not resolve port): use 0..65535 or a service name from /etc/services`);
    return;
  }
  if (ip2 === undefined) {
    const f = parseRealFlags(p, line, flagsCol, flags);
    if (f) pushReal(p, v, flagsCol, first, port, f);
    return;
  }
  const last = resolveHost(p.resolver, ip2, v.family);
  if (last === undefined) {
    p.diag.error('E-RESOLVE', line, col, `invalid address \`${ip2}\` for real server (could not resolve end host of the range)`);
    return;
  }
  if (v.family === 'inet6') {
    p.diag.error('E-RANGE', line, col, 'address ranges (a->b) are not supported for IPv6 real servers; list each real6= on its own line');
    return;
  }
  const a = ipv4ToInt(first);
  const b = ipv4ToInt(last);
  if (a > b) {
    p.diag.error('E-RANGE', line, col, `invalid range ${first}->${last}: the first address must not be greater than the last`);
    return;
  }
  // add_real_server_range loops `while ($i le $last_i)`: a *string* comparison of the
  // integers. Within one number of digits that is the numeric order; across a power of
  // ten it stops early (or runs on). haldir expands exactly what ldirectord expands.
  const addresses: number[] = [];
  for (let i = a; String(i) <= String(b); i++) {
    if (addresses.length >= MAX_REAL_RANGE) {
      p.diag.error('E-RANGE', line, col, `range ${first}->${last} has more than ${MAX_REAL_RANGE} addresses; haldir expands at most ${MAX_REAL_RANGE}: split it`);
      return;
    }
    addresses.push(i);
  }
  if (addresses.length !== b - a + 1) {
    p.diag.warn('W-COMPAT', line, col, `ldirectord compares range ends as strings and expands ${first}->${last} to ${addresses.length} of its ${b - a + 1} addresses; haldir does the same. Split the range where the address, as a 32-bit number, gains a digit`);
  }
  const f = parseRealFlags(p, line, flagsCol, flags);
  if (!f) return;
  for (const i of addresses) pushReal(p, v, flagsCol, intToIpv4(i), port, f);
}

/** Text an unanchored ldirectord regex skipped over before its match (silently dropped by ldirectord). */
function skipped(p: CfParser, line: number, col: number, rest: string, m: RegExpExecArray, what: string): void {
  const s = rest.slice(0, m.index);
  if (/\S/.test(s)) {
    p.diag.warn('W-IGNORED', line, col, `\`${s.trim()}\` is skipped by ldirectord while looking for ${what} and has no effect; order the fields as: gate|masq|ipip WEIGHT "REQUEST", "RECEIVE" l:N u:N`);
  }
}

type RealFlags = Omit<RawVirtual['reals'][number], 'address' | 'port'>;

/** add_real_server's flag parsing (the same for every address of a range, so done once). */
function parseRealFlags(p: CfParser, line: number, col: number, flagsIn: string): RealFlags | undefined {
  const fm = REAL_FORWARD.exec(flagsIn);
  const fwd = fm?.[1];
  if (!fm || (fwd !== 'gate' && fwd !== 'masq' && fwd !== 'ipip')) {
    const guess = fwd ? didYouMean(fwd, ['gate', 'masq', 'ipip']) : undefined;
    p.diag.error('E-FORWARD', line, col, `forward method ${fwd ? `\`${fwd}\` ` : ''}must be gate, masq or ipip${guess ? ` (did you mean \`${guess}\`?)` : ''}`);
    return undefined;
  }
  if (fm.index > 0) p.diag.warn('W-TRAILING', line, col, `text \`${flagsIn.slice(0, fm.index)}\` before the forwarding method is ignored; remove it`);
  let rest = fm[2]!;
  let weight = 1;
  let request: string | undefined;
  let receive: string | undefined;
  let lower = 0;
  let upper = 0;
  let m = REAL_WEIGHT.exec(rest);
  if (m) {
    skipped(p, line, col, rest, m, 'the weight');
    weight = parseInt(m[1]!, 10);
    rest = m[2]!;
  }
  if ((m = REAL_REQUEST.exec(rest))) {
    skipped(p, line, col, rest, m, 'the request/receive pair');
    if (m[1]!.startsWith('/')) {
      // ldirectord quirk: `unless ($request =~ /^\//)` is a *successful* match here, which
      // resets $2 and $3 before they are read: the receive is lost (the virtual's is used)
      // and so is everything after it (l:/u: thresholds, even junk).
      request = m[1]!;
      const after = m[3]!;
      p.diag.warn('W-COMPAT', line, col, `ldirectord drops the receive string of a real whose request starts with "/"${/\S/.test(after) ? `, and everything after it (\`${after.trim()}\`)` : ''}; haldir does the same, so the virtual's receive applies. Write the request without the leading "/" (ldirectord adds it) to keep the receive`);
      rest = '';
    } else {
      request = '/' + m[1]!;
      receive = m[2]!;
      rest = m[3]!;
      if (receive !== '') p.checkRealReceive(receive, line, col);
    }
  }
  if ((m = REAL_LOWER.exec(rest))) {
    skipped(p, line, col, rest, m, 'l:N');
    lower = parseInt(m[1]!, 10);
    rest = m[2]!;
  }
  if ((m = REAL_UPPER.exec(rest))) {
    skipped(p, line, col, rest, m, 'u:N');
    upper = parseInt(m[1]!, 10);
    rest = m[2]!;
  }
  if (/\S/.test(rest)) {
    p.diag.error('E-REAL-SYNTAX', line, col, `invalid real server line around \`${rest.trim()}\`: after the forwarding method only WEIGHT, "REQUEST", "RECEIVE", l:N and u:N may follow, in that order`);
    return undefined;
  }
  if (weight > 65535) p.diag.warn('W-VALUE', line, col, `weight ${weight} is above ipvsadm's maximum 65535; ipvsadm will reject it`);
  return { forward: fwd as ForwardMethod, weight, request, receive, lower, upper, line };
}

function pushReal(p: CfParser, v: RawVirtual, col: number, address: string, port: number, flags: RealFlags): void {
  const line = flags.line;
  let index = realIndex.get(v);
  if (!index) realIndex.set(v, (index = new Map()));
  const key = `${address}|${port}`;
  const dup = index.get(key);
  if (dup) {
    p.diag.warn('W-DUPLICATE-REAL', line, col, `real server ${address}:${port} is listed twice in this virtual service; like ldirectord, haldir uses the last definition: remove the other line`);
    if (dup.line !== line) p.diag.note(dup.line, 1, `${address}:${port} was first listed here (ignored)`);
    v.reals.splice(v.reals.indexOf(dup), 1);
  }
  const real = { address, port, ...flags };
  index.set(key, real);
  v.reals.push(real);
}
