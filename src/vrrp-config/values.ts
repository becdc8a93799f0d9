// Pure value parsers for vrrp.cf directives. Each returns the value or a failure
// {code, message} the parser turns into a positioned diagnostic.

import { isIP } from 'node:net';
import type { AddressFamily } from '../config/model.js';
import type { VrrpDiagnosticCode } from './diagnostics.js';
import type { CommandLine, HostPort, VirtualIp } from './model.js';

export interface ValueError {
  readonly error: VrrpDiagnosticCode;
  readonly message: string;
}
export type Parsed<T> = { readonly ok: T } | ValueError;

export function isValueError<T>(p: Parsed<T>): p is ValueError {
  return 'error' in p;
}

const fail = (error: VrrpDiagnosticCode, message: string): ValueError => ({ error, message });

export function familyOf(address: string): AddressFamily | undefined {
  const v = isIP(address);
  return v === 4 ? 'inet' : v === 6 ? 'inet6' : undefined;
}

/** keepalived reads yes/no, on/off, true/false (and a bare keyword means yes). */
export function parseBoolean(v: string): Parsed<boolean> {
  const s = v.trim().toLowerCase();
  if (['yes', 'on', 'true', '1'].includes(s)) return { ok: true };
  if (['no', 'off', 'false', '0'].includes(s)) return { ok: false };
  return fail('E-BAD-BOOLEAN', `expected yes or no, got "${v}"`);
}

export function parseInteger(v: string): Parsed<number> {
  if (!/^[+-]?\d+$/.test(v.trim())) return fail('E-BAD-INTEGER', `expected a whole number, got "${v}"`);
  return { ok: Number(v.trim()) };
}

export function parseNumber(v: string): Parsed<number> {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v.trim())) return fail('E-BAD-NUMBER', `expected a number, got "${v}"`);
  return { ok: Number(v.trim()) };
}

/** RFC 5952 text (fd00:0::1 -> fd00::1), the form keepalived and `ip addr` print. */
export function canonicalIpv6(address: string): string {
  // URL would rewrite an embedded IPv4 (::ffff:1.2.3.4) as hex; ip(8) keeps it dotted
  return address.includes(".") ? address.toLowerCase() : new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

export function parseAddress(v: string): Parsed<{ address: string; family: AddressFamily }> {
  const s = v.trim().replace(/^\[(.*)\]$/, '$1');
  const family = familyOf(s);
  if (!family) return fail('E-BAD-ADDRESS', `"${v}" is not a numeric IPv4 or IPv6 address`);
  return { ok: { address: family === 'inet6' ? canonicalIpv6(s) : s, family } };
}

const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;

/** host[:port], [v6]:port or a bare IPv6 address (as ldirectord's `smtp = host:port`). */
export function parseHostPort(v: string, defaultPort: number): Parsed<HostPort> {
  const s = v.trim();
  let host: string;
  let port: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(s);
  if (bracket) {
    host = bracket[1] ?? '';
    port = bracket[2];
  } else if (familyOf(s) === 'inet6') {
    host = s;
  } else {
    const i = s.lastIndexOf(':');
    host = i < 0 ? s : s.slice(0, i);
    port = i < 0 ? undefined : s.slice(i + 1);
  }
  if (!familyOf(host) && !HOSTNAME_RE.test(host)) {
    return fail('E-BAD-HOSTPORT', `"${v}" is not host[:port] (host: an address or a DNS name; IPv6 with a port as [addr]:port)`);
  }
  let portNum = defaultPort;
  if (port !== undefined) {
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      return fail('E-BAD-HOSTPORT', `port "${port}" in "${v}" is not 1..65535`);
    }
    portNum = Number(port);
  }
  return { ok: { host: familyOf(host) === 'inet6' ? canonicalIpv6(host) : host, port: portNum } };
}

// user@domain, or a bare local user ("root", keepalived's sample "acassen") the relay delivers locally
const EMAIL_RE = /^[^\s@,;<>"]+(@[^\s@,;<>"]+)?$/;

/** `a@b, c@d` (ldirectord's emailalert list, comma or space separated). */
export function parseEmailList(v: string): Parsed<string[]> {
  const parts = v.split(/[\s,]+/).filter((p) => p !== '');
  const bad = parts.find((p) => !EMAIL_RE.test(p));
  if (bad !== undefined) return fail('E-BAD-EMAIL', `"${bad}" is not an e-mail address (user@domain or a local user)`);
  return { ok: parts };
}

export function parseEmail(v: string): Parsed<string> {
  const s = v.trim();
  // emailalertfrom may carry a display name: "haldir <haldir@lb01>"
  const addr = /<([^>]*)>\s*$/.exec(s)?.[1] ?? s;
  if (!EMAIL_RE.test(addr)) return fail('E-BAD-EMAIL', `"${v}" is not an e-mail address (user@domain)`);
  return { ok: s };
}

/**
 * Split a command line the way keepalived splits notify and script lines
 * (notify.c / vrrp_parser.c set_script_params_array): whitespace separates words,
 * '...' and "..." group, backslash escapes the next character. No shell runs it.
 */
export function splitCommand(raw: string): Parsed<CommandLine> {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charAt(i);
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < raw.length) word += raw.charAt(++i);
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < raw.length) {
      word += raw.charAt(++i);
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return fail('E-BAD-COMMAND', `unterminated ${quote} quote in "${raw}"`);
  if (inWord) argv.push(word);
  // keepalived looks a relative program up in PATH (`script "pidof nginx"` is common); so does spawn().
  if (argv.length === 0) return fail('E-BAD-COMMAND', 'empty command');
  return { ok: { raw, argv } };
}

/** `NAME [weight N]` (keepalived track_script / track_interface block entries). */
export function parseTrackRef(v: string, weightRange: readonly [number, number]): Parsed<{ name: string; weight: number | undefined }> {
  const words = v.trim().split(/\s+/);
  const name = words[0] ?? '';
  if (name === '' || !(words.length === 1 || (words.length === 3 && words[1] === 'weight'))) {
    return fail('E-BAD-TRACK', `"${v}" is not NAME or NAME weight N`);
  }
  if (words.length === 1) return { ok: { name, weight: undefined } };
  const w = parseInteger(words[2] ?? '');
  if (isValueError(w)) return fail('E-BAD-TRACK', `weight in "${v}" is not a whole number`);
  if (w.ok < weightRange[0] || w.ok > weightRange[1]) {
    return fail('E-RANGE', `weight ${w.ok} in "${v}" is outside ${weightRange[0]}..${weightRange[1]}`);
  }
  return { ok: { name, weight: w.ok } };
}

/** A virtual_ipaddress entry before the reader adds where it came from. */
export type ParsedVip = Omit<VirtualIp, 'raw' | 'source'>;

const SCOPES = new Set(['global', 'site', 'link', 'host', 'nowhere', 'universe']);
const IFNAME_RE = /^[^\s/:]{1,15}$/;

/** keepalived's virtual_ipaddress entry: addr[/prefix] [dev X] [label X] [scope S] [brd B]. */
export function parseVip(v: string): Parsed<ParsedVip> {
  const words = v.trim().split(/\s+/);
  const [addrPart = '', ...opts] = words;
  const [addr = '', prefixText] = addrPart.split('/');
  const a = parseAddress(addr);
  if (isValueError(a)) return fail('E-BAD-VIP', `${a.message} (virtual address "${v}")`);
  const maxPrefix = a.ok.family === 'inet' ? 32 : 128;
  let prefix = maxPrefix;
  if (prefixText !== undefined) {
    if (!/^\d+$/.test(prefixText) || Number(prefixText) > maxPrefix) {
      return fail('E-BAD-VIP', `prefix "/${prefixText}" in "${v}" is not 0..${maxPrefix}`);
    }
    prefix = Number(prefixText);
  }
  const o: { dev?: string; label?: string; scope?: string; brd?: string } = {};
  for (let i = 0; i < opts.length; i += 2) {
    const k = opts[i] ?? '';
    const val = opts[i + 1];
    if (val === undefined) return fail('E-BAD-VIP', `"${k}" in "${v}" needs a value`);
    if (k === 'dev') {
      if (!IFNAME_RE.test(val)) return fail('E-BAD-VIP', `"${val}" is not an interface name`);
      o.dev = val;
    } else if (k === 'label') o.label = val;
    else if (k === 'scope') {
      if (!SCOPES.has(val) && !(/^\d+$/.test(val) && Number(val) <= 255)) {
        return fail('E-BAD-VIP', `scope "${val}" is not one of ${[...SCOPES].join(', ')} or 0..255`);
      }
      o.scope = val;
    } else if (k === 'brd' || k === 'broadcast') {
      const b = parseAddress(val);
      if (isValueError(b) || b.ok.family !== a.ok.family) return fail('E-BAD-VIP', `broadcast "${val}" is not an address of the VIP's family`);
      o.brd = b.ok.address;
    } else {
      return fail('E-BAD-VIP', `unknown option "${k}" in "${v}" (known: dev, label, scope, brd)`);
    }
  }
  return {
    ok: { address: a.ok.address, prefix, family: a.ok.family, dev: o.dev, label: o.label, scope: o.scope, broadcast: o.brd },
  };
}
