// ldirectord.cf -> typed Config + every diagnostic, in one pass and without I/O.
// Mirrors ldirectord 4.12's read_config (L1316-1830): the same regexes in the same order,
// so a config ldirectord accepts means the same here and a config it rejects is rejected
// on the line ldirectord names (its first error is our first error). Unlike ldirectord,
// parsing goes on after an error so every mistake is reported at once.
// Deliberate fixes (README, "Differences from ldirectord"): blank lines inside a virtual section do not end it,
// and the whitespace an inline `# comment` leaves behind does not corrupt a value.
import type { AddressFamily, Config, DaemonStatus, ForwardMethod, ParseResult } from './model.js';
import { SERVICE_NAMES } from './model.js';
import { DiagnosticSink, didYouMean } from './diagnostics.js';
import type { ConfigResolver } from './resolver.js';
import { defaultGlobal, newVirtual, type RawFallback, type RawGlobal, type RawVirtual } from './raw.js';
import {
  BLANK, COMMENT, FALLBACK_SPLIT, FWMARK, GLOBAL_DIRECTIVES, HOST_PORT, PORT_SUFFIX, SYSLOG_FACILITIES,
  V4_IP_PORT, V6_IP_PORT, VIRTUAL_DIRECTIVES, VIRTUAL_LINE, keyRe, perlRe, portToService, quotedKeyRe,
} from './syntax.js';
import {
  exactYesNo, firstDigits, parseEmailAlertStatus, perlTrue, stripEnclosingQuotes, yesNoHint,
} from './values.js';
import { resolveReals } from './reals.js';
import { parseSchedFlags } from '../ipvs/sched-flags.js';
import { buildConfig } from './effective.js';
import { translatePerlRegex, PerlRegexError } from './perl-regex.js';
import { canonicalIPv6, isIPv4Literal, isIPv6Literal } from './net.js';
import { configSecurityWarnings } from './secret-file.js';

export interface ParseOptions {
  /** Name used in diagnostics and in the model. */
  readonly file: string;
  readonly resolver: ConfigResolver;
  /** Like ldirectord -d: the logfile is not opened (so not checked) at parse time. */
  readonly debug?: boolean;
}

/** One line of the section after ldirectord's rewriting (comment cut, tabs -> 4 spaces). */
interface Directive {
  readonly line: number;
  /** The original line, for columns. */
  readonly raw: string;
  /** The directive text (rcmd / linedata without newline). */
  readonly text: string;
  /** 1-based column of `text` in the original line. */
  readonly col: number;
}

/** Directives whose value ldirectord compares exactly, so trailing whitespace changes it. */
const TRAILING_SPACE_MATTERS = ['quiescent', 'ops', 'cleanstop', 'netmask', 'virtualhost', 'servicename', 'comment', 'checkcommand', 'fallbackcommand', 'monitorfile', 'emailalert', 'emailalertstatus'];

const KEY = /^(\w+)[ \t\n\r\f\v]*=[ \t\n\r\f\v]*(.*)$/s;

/** ld_gethostbyname: strips [..], then getaddrinfo(name, af) -> numeric text (IPv6 bare). */
export function resolveHost(resolver: ConfigResolver, name: string, family: AddressFamily): string | undefined {
  const m = /\[(.*)\]/s.exec(name);
  const n = m ? m[1]! : name;
  // Socket6's getaddrinfo treats an empty host as "none given": the loopback address.
  if (n === '') return family === 'inet' ? '127.0.0.1' : '::1';
  if (isIPv4Literal(n)) return family === 'inet' ? n : undefined;
  if (isIPv6Literal(n)) return family === 'inet6' ? canonicalIPv6(n) : undefined;
  const r = resolver.host(n, family);
  if (r === undefined) return undefined;
  return family === 'inet6' ? canonicalIPv6(r) : r;
}

/** ld_getservbyname: numbers 0..65535 as is, names through getservbyname(name, proto). */
export function resolvePort(resolver: ConfigResolver, name: string, protocol: string): number | undefined {
  if (/^[0-9]+$/.test(name)) {
    const n = parseInt(name, 10);
    return n >= 0 && n < 65536 ? n : undefined;
  }
  return resolver.service(name, protocol);
}

export class CfParser {
  readonly diag: DiagnosticSink;
  readonly global: RawGlobal = defaultGlobal();
  readonly virtuals: RawVirtual[] = [];
  private readonly lines: string[];
  private readonly seen = new Map<string, RawVirtual>();

  constructor(text: string, readonly opts: ParseOptions) {
    this.diag = new DiagnosticSink(opts.file);
    this.lines = text.split('\n');
    if (this.lines[this.lines.length - 1] === '') this.lines.pop();
  }

  get resolver(): ConfigResolver {
    return this.opts.resolver;
  }

  run(): ParseResult {
    let i = 0;
    while (i < this.lines.length) {
      const raw = this.lines[i]!;
      if (VIRTUAL_LINE.test(raw)) {
        i = this.virtualSection(i);
        continue;
      }
      i++;
      if (BLANK.test(raw) || COMMENT.test(raw)) continue;
      this.globalDirective({ line: i, raw, text: raw, col: 1 });
    }
    // read_config's closing check (L1801): per-virtual checkinterval needs fork=yes.
    if (!this.global.fork) {
      for (const v of this.virtuals) {
        if (v.checkinterval !== undefined && !v.broken) {
          this.diag.warn('W-IGNORED', v.checkintervalLine, 5, `checkinterval in virtual service ${virtualIdOf(v)} is ignored when fork=no; set fork=yes globally or remove it (the global checkinterval applies)`);
        }
      }
    }
    if (this.diag.errorCount > 0) return { config: undefined, diagnostics: this.diag.list };
    const config: Config = buildConfig(this.opts.file, this.global, this.virtuals);
    return { config, diagnostics: this.diag.list };
  }

  // ---------------------------------------------------------------- virtual sections

  /** Reads `virtual=` at line index i and its section; returns the index of the first line after it. */
  private virtualSection(i: number): number {
    const raw = this.lines[i]!;
    const lineNo = i + 1;
    const m = VIRTUAL_LINE.exec(raw)!;
    const family: AddressFamily = m[1] ? 'inet6' : 'inet';
    const vattr = m[2]!;
    const vcol = raw.length - vattr.length + 1;
    const v = newVirtual(family, lineNo);
    this.parseVirtualAddress(v, vattr, vcol);
    this.virtuals.push(v);

    let ldEnd: number | undefined; // the line at which ldirectord's section ends
    let blankAt: number | undefined;
    let warnedBlank = false;
    let j = i + 1;
    for (; j < this.lines.length; j++) {
      const line = this.lines[j]!;
      const no = j + 1;
      if (COMMENT.test(line)) continue;
      const hash = line.indexOf('#');
      const cut = hash >= 0 ? line.slice(0, hash) : line;
      const s = cut.replaceAll('\t', '    ');
      const mm = /^ {4,}(.+)/s.exec(s);
      if (!mm) {
        ldEnd ??= no;
        if (/^[ \t\n\r\f\v]*$/.test(s)) {
          blankAt ??= no; // haldir: a blank line does not end the section
          continue;
        }
        break;
      }
      if (blankAt !== undefined && !warnedBlank) {
        warnedBlank = true;
        this.diag.warn('W-COMPAT', blankAt, 1, 'ldirectord ends the virtual section at this blank line and rejects the indented lines after it; haldir continues the section (remove the blank line to stay compatible with ldirectord)');
      }
      blankAt = undefined;
      let text = mm[1]!;
      if (hash >= 0) {
        // Deliberate fix: the whitespace left before an inline comment is not part of the value.
        const trimmed = text.replace(/[ \t\n\r\f\v]+$/, '');
        if (trimmed !== text && trimmed !== '') {
          text = trimmed;
          const key = /^(\w+)/.exec(text)?.[1] ?? '';
          if (TRAILING_SPACE_MATTERS.includes(key)) {
            this.diag.warn('W-COMPAT', no, hash + 1, `ldirectord keeps the whitespace before this comment as part of the ${key} value (and rejects or misreads it); haldir ignores it. Put the comment on its own line to stay compatible with ldirectord`);
          }
        }
      }
      const col = line.length - line.trimStart().length + 1;
      if (/^[ \t\n\r\f\v]*$/.test(text)) {
        this.diag.error('E-INDENT', no, 1, 'a line of only whitespace inside a virtual section is an "Unknown command" to ldirectord; make the line empty');
        continue;
      }
      this.sectionDirective(v, { line: no, raw: line, text, col }, hash >= 0 ? line.slice(hash) : '');
    }
    ldEnd ??= this.lines.length;
    this.finishVirtual(v, ldEnd);
    if (i + 1 === this.lines.length && !v.broken) {
      // ldirectord quirk: when virtual= is the very last line, $linedata still holds it
      // after the (empty) section, so read_config jumps back and reads it a second time,
      // then reports "duplicate virtual server" on this line.
      this.diag.error('E-EMPTY-VIRTUAL', lineNo, 1, 'virtual service without real servers at the end of the file: ldirectord reads this line twice and rejects it as a "duplicate virtual server"; add its real= lines or remove it');
    }
    return j;
  }

  private parseVirtualAddress(v: RawVirtual, vattr: string, col: number): void {
    let m: RegExpExecArray | null;
    let used = '';
    if ((m = V4_IP_PORT.exec(vattr)) && v.family === 'inet') {
      v.ipPort = `${m[1]}:${m[2]}`;
      v.portText = m[2]!;
      used = m[0];
    } else if ((m = HOST_PORT.exec(vattr))) {
      v.ipPort = `${m[1]}:${m[2]}`;
      v.portText = m[2]!;
      used = m[0];
    } else if ((m = FWMARK.exec(vattr))) {
      v.fwmText = m[1]!;
      used = m[0];
    } else if ((m = V6_IP_PORT.exec(vattr)) && v.family === 'inet') {
      v.broken = true;
      this.diag.error('E-FAMILY', v.line, col, `cannot use the IPv6 address [${m[1]}] with virtual=; write virtual6=[${m[1]}]:${m[2]}`);
      return;
    } else if ((m = V6_IP_PORT.exec(vattr))) {
      if (!isIPv6Literal(m[1]!)) {
        v.broken = true;
        this.diag.error('E-BAD-ADDRESS', v.line, col + 1, `invalid IPv6 address \`${m[1]}\` for virtual server`);
        return;
      }
      v.ipPort = `[${m[1]}]:${m[2]}`;
      v.portText = m[2]!;
      used = m[0];
    } else {
      v.broken = true;
      this.diag.error('E-BAD-ADDRESS', v.line, col, `invalid address \`${vattr.trim()}\` for virtual server: write ADDRESS:PORT (e.g. 192.168.1.10:80), HOST:SERVICE, ${v.family === 'inet6' ? '[IPv6]:PORT, ' : ''}or a firewall mark number`);
      return;
    }
    const rest = vattr.slice(used.length);
    if (!/^[ \t\n\r\f\v]*(#.*)?$/s.test(rest)) {
      this.diag.warn('W-TRAILING', v.line, col + used.length, `text \`${rest.trim()}\` after the virtual address is ignored; remove it`);
    }
    if (v.ipPort) {
      v.protocol = /:(53|domain)$/.test(v.ipPort) ? 'udp' : 'tcp';
    } else {
      v.protocol = 'fwm';
      v.service = 'none';
      v.portText = '0';
      if (parseInt(v.fwmText!, 10) === 0) this.diag.warn('W-VALUE', v.line, col, 'firewall mark 0 never matches a packet; use a mark greater than zero');
    }
  }

  private sectionDirective(v: RawVirtual, d: Directive, comment: string): void {
    const km = KEY.exec(d.text);
    const key = km?.[1];
    const val = km?.[2] ?? '';
    const vcol = d.col + d.text.length - val.length;
    const err = this.diag.error.bind(this.diag);
    const warn = this.diag.warn.bind(this.diag);
    switch (key) {
      case 'real':
      case 'real6': {
        if ((v.family === 'inet') !== (key === 'real')) {
          err('E-FAMILY', d.line, d.col, `cannot use "${key}" in a ${v.family === 'inet' ? 'virtual' : 'virtual6'} section; use "${v.family === 'inet' ? 'real' : 'real6'}" instead`);
          return;
        }
        (this.pendingReals(v)).push({ spec: val, line: d.line, col: vcol });
        return;
      }
      case 'request':
      case 'receive': {
        const q = quotedKeyRe(key).exec(d.text);
        if (!q) return this.notQuoted(d, key, val, vcol, comment);
        if (q[1] === '') {
          err('E-BAD-VALUE', d.line, vcol, key === 'request' ? 'empty request string: give the object to fetch, e.g. request="/index.html"' : 'empty receive string: give a pattern, or remove the receive line to accept any answer');
          return;
        }
        this.trailingAfterQuote(d, q[0], vcol);
        if (key === 'request') v.request = q[1]!.startsWith('/') ? q[1]! : '/' + q[1]!;
        else {
          this.checkRegex(q[1]!, d.line, vcol + 1);
          v.receive = q[1]!;
        }
        return;
      }
      case 'checktype': {
        const digits = firstDigits(val);
        if (digits) {
          v.checktype = 'combined';
          v.numConnects = digits.value;
          if (digits.extra) warn('W-TRAILING', d.line, vcol, `checktype \`${val}\` is read as the number ${digits.digits} (a negotiate check every ${digits.digits} connect checks); write just the number`);
          return;
        }
        const w = /([\w-]+)/.exec(val)?.[1];
        const kinds = ['connect', 'negotiate', 'ping', 'off', 'on', 'external', 'external-perl'];
        if (w !== undefined && kinds.includes(w)) {
          v.checktype = w;
          if (val.trim() !== w) warn('W-TRAILING', d.line, vcol, `text after checktype \`${w}\` is ignored; remove it`);
          return;
        }
        const guess = w ? didYouMean(w, kinds) : undefined;
        err('E-BAD-VALUE', d.line, vcol, `checktype must be connect, negotiate, on, off, ping, external, external-perl or a positive number${guess ? ` (did you mean \`${guess}\`?)` : ''}`);
        return;
      }
      case 'checkcommand':
      case 'fallbackcommand': {
        const q = quotedKeyRe(key).exec(d.text);
        const value = q ? q[1]! : val;
        if (value === '') {
          err('E-BAD-VALUE', d.line, vcol, `empty ${key}: give the path of a program, e.g. ${key}="/usr/local/bin/${key === 'checkcommand' ? 'check' : 'fallback'}.sh"`);
          return;
        }
        if (key === 'checkcommand') v.checkcommand = value;
        else v.fallbackcommand = value;
        return;
      }
      case 'checktimeout':
      case 'negotiatetimeout':
      case 'checkcount':
      case 'failurecount':
      case 'checkinterval': {
        const n = this.lenientPositive(d, key, val, vcol, false);
        if (n === undefined) return;
        if (key === 'checktimeout') v.checktimeout = n;
        else if (key === 'negotiatetimeout') v.negotiatetimeout = n;
        else if (key === 'failurecount') v.failurecount = n;
        else if (key === 'checkinterval') {
          v.checkinterval = n;
          v.checkintervalLine = d.line;
        } else {
          v.checkcount = n;
          warn('W-DEPRECATED', d.line, d.col, 'checkcount is deprecated and slated for removal in ldirectord; use failurecount instead');
        }
        return;
      }
      case 'connecttimeout':
        err('E-DEPRECATED', d.line, d.col, 'connecttimeout was removed in favour of negotiatetimeout: rename it to negotiatetimeout');
        return;
      case 'checkport': {
        const digits = firstDigits(val);
        if (!digits) return err('E-BAD-VALUE', d.line, vcol, `invalid checkport \`${val}\`: give a port number 1..65535`);
        if (digits.value <= 0 || digits.value >= 65536) return err('E-BAD-VALUE', d.line, vcol, `checkport ${digits.digits} is out of range: use 1..65535`);
        if (digits.extra) this.trailingNumber(d, key, val, digits.digits, vcol);
        v.checkport = digits.value;
        return;
      }
      case 'login':
      case 'passwd':
      case 'database':
      case 'secret':
      case 'load': {
        const q = quotedKeyRe(key).exec(d.text);
        if (!q) return this.notQuoted(d, key, val, vcol, comment);
        if (key === 'load') {
          if (!/\w/.test(q[1]!)) err('E-BAD-VALUE', d.line, vcol, 'invalid load string: give a word');
          else warn('W-IGNORED', d.line, d.col, 'load has no effect (ldirectord parses it but never uses it); remove it');
          return;
        }
        if (q[1] === '') return err('E-BAD-VALUE', d.line, vcol, `empty ${key}: give a value between the quotes or remove the line`);
        this.trailingAfterQuote(d, q[0], vcol);
        v[key] = q[1]!;
        return;
      }
      case 'scheduler': {
        const s = /([a-z]+)/.exec(val)?.[1];
        if (!s) return err('E-BAD-VALUE', d.line, vcol, `invalid scheduler \`${val}\`: use an IPVS scheduler name in lower case (rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos)`);
        if (s !== val) warn('W-TRAILING', d.line, vcol, `scheduler \`${val}\` is read as \`${s}\`; write just \`${s}\``);
        v.scheduler = s;
        return;
      }
      case 'persistent': {
        const digits = firstDigits(val);
        if (!digits) return err('E-BAD-VALUE', d.line, vcol, `invalid persistent timeout \`${val}\`: give a number of seconds`);
        if (digits.extra) this.trailingNumber(d, key, val, digits.digits, vcol);
        v.persistent = digits.value;
        return;
      }
      case 'schedflags': {
        const s = /([^ \t\n\r\f\v]+)/.exec(val)?.[1];
        if (!s) return err('E-BAD-VALUE', d.line, vcol, 'empty schedflags: give the scheduler flags, e.g. schedflags=sh-port');
        v.schedflags = s;
        v.schedflagsAt = { line: d.line, column: vcol };
        return;
      }
      case 'netmask': {
        if (v.family === 'inet6') {
          if (!/^\d+$/.test(val) || +val < 1 || +val > 128) return err('E-BAD-VALUE', d.line, vcol, `invalid netmask \`${val}\` for IPv6: give a prefix length between 1 and 128`);
        } else if (!/^\d+\.\d+\.\d+\.\d+$/.test(val)) {
          return err('E-BAD-VALUE', d.line, vcol, `invalid netmask \`${val}\`: dotted quad notation is required, e.g. netmask=255.255.255.0${yesNoHint(val).startsWith(' (the line ends in') ? yesNoHint(val) : ''}`);
        }
        v.netmask = val;
        return;
      }
      case 'protocol': {
        const p = /(\w+)/.exec(val)?.[1];
        if (!p) return err('E-BAD-VALUE', d.line, vcol, 'invalid protocol: use tcp or udp (fwm for a firewall-mark virtual)');
        if (v.protocol === 'fwm' && !v.broken) {
          if (p !== 'fwm') err('E-BAD-VALUE', d.line, vcol, `protocol must be fwm for a firewall-mark virtual service (virtual=${v.fwmText}); remove this line or write protocol=fwm`);
          return;
        }
        if (p !== 'tcp' && p !== 'udp') {
          return err('E-BAD-VALUE', d.line, vcol, `protocol must be tcp or udp for a virtual service with an address and port${p === 'fwm' ? ' (fwm needs virtual=MARK)' : ''}`);
        }
        v.protocol = p;
        return;
      }
      case 'ops':
      case 'quiescent':
      case 'cleanstop': {
        const yn = exactYesNo(val);
        if (!yn) return err('E-BAD-VALUE', d.line, vcol, `${key} must be 'yes' or 'no', not \`${val}\`${yesNoHint(val)}`);
        if (key === 'ops') v.ops = yn === 'yes';
        else v[key] = yn === 'yes';
        return;
      }
      case 'service': {
        const s = /(\w+)/.exec(val)?.[1];
        if (!s || !(SERVICE_NAMES as readonly string[]).includes(s)) {
          const guess = s ? didYouMean(s, SERVICE_NAMES) : undefined;
          return err('E-BAD-VALUE', d.line, vcol, `unknown service \`${val}\`${guess ? ` (did you mean \`${guess}\`?)` : ''}: use one of ${SERVICE_NAMES.join(', ')}`);
        }
        if (s !== val.trim()) warn('W-TRAILING', d.line, vcol, `text after service \`${s}\` is ignored; remove it`);
        v.service = s;
        // ldirectord sets these defaults when it reads service= (not for a service chosen by port).
        if (s === 'ftp' && v.login === '') v.login = 'anonymous';
        else if (s === 'sip' && v.login === '') v.login = `ldirectord@${this.resolver.hostname()}`;
        if (s === 'ftp' && v.passwd === '') v.passwd = `ldirectord@${this.resolver.hostname()}`;
        return;
      }
      case 'httpmethod': {
        const w = /(\w+)/.exec(val)?.[1];
        const u = w?.toUpperCase();
        if (u !== 'GET' && u !== 'HEAD') return err('E-BAD-VALUE', d.line, vcol, `httpmethod must be GET or HEAD, not \`${val}\``);
        v.httpmethod = u;
        return;
      }
      case 'virtualhost': {
        v.virtualhost = /"?([^"]*)"?/.exec(val)![1]!;
        return;
      }
      case 'fallback':
      case 'fallback6': {
        if ((v.family === 'inet') !== (key === 'fallback')) {
          return err('E-FAMILY', d.line, d.col, `cannot use "${key}" in a ${v.family === 'inet' ? 'virtual' : 'virtual6'} section; use "${v.family === 'inet' ? 'fallback' : 'fallback6'}" instead`);
        }
        const fb = this.parseFallback(val, d.line, vcol, v.portText);
        if (fb) v.fallbackSpec = { text: fb.spec, line: d.line, column: vcol };
        this.pendingFallback.set(v, fb);
        return;
      }
      case 'emailalert':
      case 'emailalertfreq':
      case 'emailalertstatus':
        this.emailDirective(v, d, key, val, vcol);
        return;
      case 'monitorfile': {
        const q = quotedKeyRe(key).exec(d.text);
        const file = q ? q[1]! : val;
        const why = this.resolver.appendError(file);
        if (why !== undefined) return err('E-FILE', d.line, vcol, `unable to open monitorfile ${file}: ${why}; create its directory or fix the permissions`);
        v.monitorfile = file;
        return;
      }
      case 'smtp': {
        const s = this.parseSmtp(val, d.line, vcol);
        if (s) v.smtp = s;
        return;
      }
      case 'servicename':
        v.servicename = val;
        return;
      case 'comment':
        v.comment = val;
        return;
      default:
        break;
    }
    this.unknownDirective(d, key, 'section');
  }

  private readonly realsTodo = new Map<RawVirtual, { spec: string; line: number; col: number }[]>();
  private readonly pendingFallback = new Map<RawVirtual, ParsedFallback | undefined>();

  private pendingReals(v: RawVirtual): { spec: string; line: number; col: number }[] {
    let l = this.realsTodo.get(v);
    if (!l) this.realsTodo.set(v, (l = []));
    return l;
  }

  /**
   * ldirectord passes schedflags to ipvsadm unchecked (`-b FLAGS`), so a bad flag only
   * shows when ipvsadm refuses the virtual. The scheduler may come after schedflags in
   * the section, hence the check at its end. A warning, since ldirectord accepts the file.
   */
  private checkSchedFlags(v: RawVirtual): void {
    if (v.schedflags === undefined || !v.schedflagsAt) return;
    try {
      parseSchedFlags(v.schedflags, v.scheduler);
    } catch (e) {
      this.diag.warn('W-VALUE', v.schedflagsAt.line, v.schedflagsAt.column, `${e instanceof Error ? e.message : String(e)}; ipvsadm will refuse this virtual service, so haldir will leave it unmanaged`);
    }
  }

  /** After the section: fallback, virtual address, reals, duplicate check (ldirectord's order). */
  private finishVirtual(v: RawVirtual, ldEnd: number): void {
    const fb = this.pendingFallback.get(v);
    if (fb && v.fallbackSpec) v.fallback = this.resolveFallback(fb, v.protocol, v.family, v.fallbackSpec.line, v.fallbackSpec.column);
    if (v.broken) {
      resolveReals(this, v, this.realsTodo.get(v) ?? []);
      return;
    }
    if (v.ipPort) {
      const hp = this.resolveHostPort(v.ipPort, v.protocol, v.family);
      if (!hp) {
        v.broken = true;
        const host = v.ipPort.replace(PORT_SUFFIX, '');
        const hostOk = resolveHost(this.resolver, host, v.family) !== undefined;
        this.diag.error('E-RESOLVE', v.line, 1, hostOk
          ? `invalid port \`${v.portText}\` for virtual service: use a number 0..65535 or a service name from /etc/services (for protocol ${v.protocol})`
          : `cannot resolve \`${host}\` to an ${v.family === 'inet' ? 'IPv4' : 'IPv6'} address for the virtual service: use a numeric address or a name in /etc/hosts or DNS`);
      } else {
        v.address = hp.address;
        v.port = hp.port;
        // ld_port_to_service compares the numeric text (ld_getservbyname returns digits as written).
        v.service ??= portToService(/^[0-9]+$/.test(v.portText) ? v.portText : String(hp.port));
      }
    } else {
      v.port = 0;
    }
    resolveReals(this, v, this.realsTodo.get(v) ?? []);
    if (v.broken) return;
    this.checkSchedFlags(v);
    const id = virtualIdOf(v);
    const prev = this.seen.get(id);
    if (prev) {
      this.diag.error('E-DUPLICATE-VIRTUAL', ldEnd, 1, `duplicate virtual server ${id} (the virtual=${v.family === 'inet6' ? '6' : ''} section starting at line ${v.line}); merge the two sections or remove one (ldirectord reports this where the section ends)`);
      this.diag.note(prev.line, 1, `${id} was first defined here`);
      this.diag.note(v.line, 1, 'the duplicate starts here');
    } else {
      this.seen.set(id, v);
    }
  }

  /** ld_gethostservbyname(ip_port, protocol, af). */
  resolveHostPort(ipPort: string, protocol: string, family: AddressFamily): { address: string; port: number } | undefined {
    const m = PORT_SUFFIX.exec(ipPort)!;
    const portText = m[2];
    const host = ipPort.slice(0, ipPort.length - m[0].length);
    const address = resolveHost(this.resolver, host, family);
    if (address === undefined) return undefined;
    if (portText === undefined) return { address, port: 0 };
    const port = resolvePort(this.resolver, portText, protocol);
    return port === undefined ? undefined : { address, port };
  }

  // ---------------------------------------------------------------- fallback / smtp

  /** parse_fallback (L2207): `host[:port] [gate|masq|ipip]`. */
  parseFallback(value: string, line: number, col: number, virtualPortText: string | undefined): ParsedFallback | undefined {
    let parse = value;
    let fwd: string | undefined;
    const m = FALLBACK_SPLIT.exec(parse);
    if (m) {
      fwd = m[3];
      parse = m[1]!;
    }
    const pm = PORT_SUFFIX.exec(parse)!;
    let port: string | undefined = pm[2];
    const server = parse.slice(0, parse.length - pm[0].length);
    if (port === undefined && virtualPortText !== undefined) port = virtualPortText;
    if (fwd !== undefined && fwd !== 'gate' && fwd !== 'masq' && fwd !== 'ipip') {
      const guess = didYouMean(fwd, ['gate', 'masq', 'ipip']);
      const words = value.trim().split(/[ \t]+/).length;
      const extra = words > 2 ? `; ldirectord reads the last word as the forwarding method, so remove the text after \`${value.trim().split(/[ \t]+/).slice(0, 2).join(' ')}\`` : '';
      this.diag.error('E-FORWARD', line, col + Math.max(0, value.lastIndexOf(fwd)), `forward method \`${fwd}\` of the fallback server must be gate, masq or ipip${guess ? ` (did you mean \`${guess}\`?)` : ''}${extra}`);
      return undefined;
    }
    return { server, port, forward: (fwd ?? 'gate') as ForwardMethod, spec: value };
  }

  /** _ld_read_config_fallback_resolve (L1954). */
  resolveFallback(fb: ParsedFallback, protocol: string, family: AddressFamily, line: number, col: number): RawFallback | undefined {
    const address = resolveHost(this.resolver, fb.server, family);
    if (fb.server === '') {
      this.diag.warn('W-VALUE', line, col, `the fallback server has no address, so ldirectord uses the loopback address ${address}; write it out (fallback${family === 'inet' ? `=${address}` : `6=[${address}]`}:PORT)`);
    }
    if (address === undefined) {
      this.diag.error('E-RESOLVE', line, col, `invalid ${family === 'inet' ? 'IPv4' : 'IPv6'} address or could not resolve \`${fb.server}\` for the fallback server${family === 'inet6' ? ' (write IPv6 addresses in brackets: [::1]:80)' : ''}`);
      return undefined;
    }
    let port: number | undefined;
    // `unless($fallback->{port}) return`: no port, or "0", stays as is.
    if (fb.port !== undefined && fb.port !== '' && fb.port !== '0') {
      port = resolvePort(this.resolver, fb.port, protocol);
      if (port === undefined) {
        this.diag.error('E-RESOLVE', line, col, `invalid port \`${fb.port}\` for the fallback server: use a number or a service name known for ${protocol}`);
        return undefined;
      }
    } else if (fb.port === '0') {
      port = 0;
    }
    return { address, port, forward: fb.forward, line };
  }

  /** smtp = host[:port]: ldirectord keeps the leading host characters; haldir also honours :port. */
  private parseSmtp(val: string, line: number, col: number): { host: string; port: number } | undefined {
    const m = /^([0-9A-Za-z._+-]+)/.exec(val);
    if (!m) {
      this.diag.error('E-BAD-VALUE', line, col, `invalid SMTP server address \`${val}\`: write smtp=HOST or smtp=HOST:PORT`);
      return undefined;
    }
    const rest = val.slice(m[0].length);
    const pm = /^:(\d+)[ \t]*$/.exec(rest);
    let port = 25;
    if (pm && +pm[1]! > 0 && +pm[1]! < 65536) port = +pm[1]!;
    else if (rest.trim() !== '') this.diag.warn('W-TRAILING', line, col + m[0].length, `text \`${rest.trim()}\` after the SMTP host is ignored; write smtp=HOST or smtp=HOST:PORT (port 1..65535)`);
    return { host: m[1]!, port };
  }

  // ---------------------------------------------------------------- global directives

  private globalDirective(d: Directive): void {
    const text = d.text;
    const err = this.diag.error.bind(this.diag);
    const g = this.global;
    if (/^supervised/.test(text)) {
      const m = keyRe('supervised').exec(text);
      if (m && exactYesNo(m[1]!)) g.supervised = m[1] === 'yes';
      else if (perlRe('^supervised\\s*$').test(text)) {
        g.supervised = true;
        this.diag.warn('W-DEPRECATED', d.line, 1, 'a bare `supervised` is deprecated: write supervised=yes');
      } else err('E-BAD-VALUE', d.line, 1, `supervised must be 'yes' or 'no'${m ? yesNoHint(m[1]!) : ''}`);
      return;
    }
    if (/^[ \t]/.test(text)) {
      const inner = text.trim();
      const key = /^(\w+)/.exec(inner)?.[1] ?? '';
      const sectionKey = (VIRTUAL_DIRECTIVES as readonly string[]).includes(key);
      err('E-INDENT', d.line, 1, sectionKey
        ? `\`${key}\` is indented but no virtual section is open here (global directives must start in column 0; a section is virtual=... followed by indented lines)`
        : 'global directives must start in column 0; remove the indentation');
      return;
    }
    const km = KEY.exec(text);
    const key = km?.[1];
    const val = km?.[2] ?? '';
    const vcol = text.length - val.length + 1;
    switch (key) {
      case 'checktimeout':
      case 'negotiatetimeout': {
        const n = this.lenientPositive(d, key, val, vcol, true);
        if (n !== undefined) g[key] = n;
        return;
      }
      case 'connecttimeout':
        return err('E-DEPRECATED', d.line, 1, 'connecttimeout was removed in favour of negotiatetimeout: rename it to negotiatetimeout');
      case 'checkinterval':
      case 'checkcount':
      case 'failurecount': {
        const n = this.lenientPositive(d, key, val, vcol, false);
        if (n === undefined) return;
        g[key] = n;
        if (key === 'checkcount') this.diag.warn('W-DEPRECATED', d.line, 1, 'checkcount is deprecated and slated for removal in ldirectord; use failurecount instead');
        return;
      }
      case 'fallback':
      case 'fallback6': {
        const family: AddressFamily = key === 'fallback' ? 'inet' : 'inet6';
        const tcp = this.parseFallback(val, d.line, vcol, undefined);
        if (!tcp) return;
        const t = this.resolveFallback(tcp, 'tcp', family, d.line, vcol);
        if (!t) return;
        const u = this.resolveFallback(tcp, 'udp', family, d.line, vcol);
        if (!u) return;
        g[key] = { tcp: t, udp: u };
        return;
      }
      case 'fallbackcommand': {
        if (val === '') return err('E-BAD-VALUE', d.line, vcol, 'empty fallbackcommand: give the path of a program');
        // ldirectord passes the text to a shell, which removes the quotes; haldir runs it without one.
        g.fallbackcommand = stripEnclosingQuotes(val);
        return;
      }
      case 'autoreload':
      case 'fork':
      case 'quiescent':
      case 'readdquiescent':
      case 'cleanstop': {
        const yn = exactYesNo(val);
        if (!yn) return err('E-BAD-VALUE', d.line, vcol, `${key} must be 'yes' or 'no', not \`${val}\`${yesNoHint(val)}`);
        g[key] = yn === 'yes';
        return;
      }
      case 'callback':
      case 'logfile': {
        const q = quotedKeyRe(key).exec(text);
        if (!q) return this.notQuoted(d, key, val, vcol, '');
        this.trailingAfterQuote(d, q[0], vcol);
        if (key === 'callback') {
          g.callback = q[1]!;
          return;
        }
        const file = q[1]!;
        if (!this.opts.debug && !g.supervised) {
          if (file.startsWith('/')) {
            const why = this.resolver.appendError(file);
            if (why !== undefined) return err('E-FILE', d.line, vcol, `unable to open logfile ${file}: ${why}; create its directory, fix the permissions, or log to syslog with logfile="local0"`);
          }
        }
        if (!file.startsWith('/') && !SYSLOG_FACILITIES.includes(file)) {
          this.diag.warn('W-VALUE', d.line, vcol, `logfile \`${file}\` is neither an absolute path nor a syslog facility (${SYSLOG_FACILITIES.join(', ')})`);
        }
        g.logfile = file;
        return;
      }
      case 'execute':
        g.execute.push(stripEnclosingQuotes(val));
        return;
      case 'emailalert':
      case 'emailalertfreq':
      case 'emailalertstatus':
        this.emailDirective(g, d, key, val, vcol);
        return;
      case 'emailalertfrom':
        if (val === '') return err('E-BAD-VALUE', d.line, vcol, 'no email from address given: write emailalertfrom=ldirectord@example.com');
        g.emailalertfrom = val;
        return;
      case 'smtp': {
        const s = this.parseSmtp(val, d.line, vcol);
        if (s) g.smtp = s;
        return;
      }
      case 'maintenancedir':
        if (val === '') return err('E-BAD-VALUE', d.line, vcol, 'maintenance directory not specified: write maintenancedir=/etc/ha.d/maintenance');
        g.maintenancedir = val;
        if (!this.resolver.isDirectory(val)) this.diag.warn('W-MISSING-DIR', d.line, vcol, `maintenance directory ${val} does not exist; create it (mkdir -p ${val})`);
        return;
      // haldir extensions
      case 'smtpuser': {
        const q = quotedKeyRe(key).exec(text);
        g.smtpuser = q ? q[1]! : val;
        this.extensionNote(d, key);
        return;
      }
      case 'smtppasswd': {
        const q = quotedKeyRe(key).exec(text);
        if (!q) return this.notQuoted(d, key, val, vcol, '');
        g.smtppasswd = q[1]!;
        this.extensionNote(d, key);
        return;
      }
      case 'smtptls': {
        if (val !== 'none' && val !== 'starttls' && val !== 'tls') return err('E-BAD-VALUE', d.line, vcol, `smtptls must be none, starttls or tls, not \`${val}\``);
        g.smtptls = val;
        this.extensionNote(d, key);
        return;
      }
      case 'timeout':
        return err('E-DEPRECATED', d.line, 1, 'timeout was removed in favour of checktimeout and negotiatetimeout: rename it to checktimeout (connect checks) and/or negotiatetimeout (negotiate checks)');
      default:
        break;
    }
    this.unknownDirective(d, key, 'global');
  }

  private extensionNote(d: Directive, key: string): void {
    this.diag.warn('W-VALUE', d.line, 1, `${key} is a haldir extension: ldirectord rejects this file ("Unknown command"); do not share it with ldirectord`);
  }

  // ---------------------------------------------------------------- shared helpers

  /** emailalert, emailalertfreq, emailalertstatus: the same checks globally and per virtual. */
  private emailDirective(target: EmailSettings, d: Directive, key: 'emailalert' | 'emailalertfreq' | 'emailalertstatus', val: string, vcol: number): void {
    const err = this.diag.error.bind(this.diag);
    if (key === 'emailalert') {
      // read_emailalert: one pair of enclosing quotes is stripped; empty is an error.
      const a = stripEnclosingQuotes(val);
      if (a === '') return err('E-BAD-VALUE', d.line, vcol, 'no email address given: write emailalert="admin@example.com"');
      target.emailalert = a;
    } else if (key === 'emailalertfreq') {
      // `^emailalertfreq\s*=\s*(\d*)`: the digits must come first.
      const m = /^(\d*)/.exec(val)!;
      if (m[1] === '') return err('E-BAD-VALUE', d.line, vcol, `invalid email alert frequency \`${val}\`: give a number of seconds (0 = no repeats)`);
      if (m[1] !== val) this.trailingNumber(d, key, val, m[1]!, vcol);
      target.emailalertfreq = parseInt(m[1]!, 10);
    } else {
      const r = parseEmailAlertStatus(val);
      if ('error' in r) return err('E-BAD-VALUE', d.line, vcol, r.error);
      target.emailalertstatus = r.statuses;
    }
  }

  /** checktimeout & co: ldirectord takes the first digits anywhere and wants them "true" (global timeouts: > 0). */
  private lenientPositive(d: Directive, key: string, val: string, vcol: number, strictPositive: boolean): number | undefined {
    const digits = firstDigits(val);
    const ok = digits !== undefined && perlTrue(digits.digits) && (!strictPositive || digits.value > 0);
    if (!ok) {
      this.diag.error('E-BAD-VALUE', d.line, vcol, `invalid ${key} value \`${val}\`: give a whole number greater than 0`);
      return undefined;
    }
    if (digits.value === 0) this.diag.warn('W-VALUE', d.line, vcol, `${key}=${digits.digits} is zero; ldirectord accepts it but it is almost certainly a mistake`);
    if (digits.extra) this.trailingNumber(d, key, val, digits.digits, vcol);
    return digits.value;
  }

  private trailingNumber(d: Directive, key: string, val: string, digits: string, vcol: number): void {
    this.diag.warn('W-TRAILING', d.line, vcol, `${key} value \`${val}\`: only \`${digits}\` is used, the rest is ignored; remove it`);
  }

  private trailingAfterQuote(d: Directive, matched: string, vcol: number): void {
    const rest = d.text.slice(matched.length);
    if (rest.trim() !== '') this.diag.warn('W-TRAILING', d.line, vcol, `text \`${rest.trim()}\` after the closing quote is ignored; remove it`);
  }

  private notQuoted(d: Directive, key: string, val: string, vcol: number, comment: string): void {
    if (comment !== '' && /^"/.test(val) && !/"/.test(val.slice(1))) {
      this.diag.error('E-NOT-QUOTED', d.line, vcol, `the value of ${key} is cut at \`#\` (inside a virtual section \`#\` starts a comment), leaving an unterminated quote; avoid \`#\` here${key === 'receive' ? ' (in a regex write \\x23)' : ''}`);
      return;
    }
    if (km(d.text) === undefined) {
      this.diag.error('E-UNKNOWN-DIRECTIVE', d.line, d.col, `expected \`${key}="..."\``);
      return;
    }
    this.diag.error('E-NOT-QUOTED', d.line, vcol, `${key} must be quoted: ${key}="${val.replace(/^"|"$/g, '')}"`);
  }

  private checkRegex(src: string, line: number, col: number): void {
    const r = translatePerlRegex(src);
    if (r instanceof PerlRegexError) this.diag.error('E-REGEX', line, col + r.offset, `receive pattern cannot be used: ${r.message}`);
  }

  checkRealReceive(src: string, line: number, col: number): void {
    this.checkRegex(src, line, col);
  }

  private unknownDirective(d: Directive, key: string | undefined, where: 'global' | 'section'): void {
    const word = key ?? /^([A-Za-z0-9_-]+)/.exec(d.text)?.[1] ?? d.text.trim().slice(0, 20);
    const globals = GLOBAL_DIRECTIVES as readonly string[];
    const sections = VIRTUAL_DIRECTIVES as readonly string[];
    if (key === undefined && (globals.includes(word) || sections.includes(word))) {
      this.diag.error('E-UNKNOWN-DIRECTIVE', d.line, d.col, `expected \`${word}=VALUE\``);
      return;
    }
    if (where === 'section' && globals.includes(word)) {
      this.diag.error('E-UNKNOWN-DIRECTIVE', d.line, d.col, `\`${word}\` is a global directive and cannot be used inside a virtual section; move it to column 0 before the first virtual=`);
      return;
    }
    if (where === 'global' && sections.includes(word)) {
      this.diag.error('E-UNKNOWN-DIRECTIVE', d.line, d.col, `\`${word}\` belongs inside a virtual section: indent it by 4 spaces or a tab below a virtual= line`);
      return;
    }
    const own = where === 'global' ? globals : sections;
    const guess = didYouMean(word, own) ?? didYouMean(word, where === 'global' ? sections : globals);
    const elsewhere = guess !== undefined && !own.includes(guess)
      ? where === 'global' ? ', which belongs inside a virtual section' : ', which is a global directive'
      : '';
    this.diag.error('E-UNKNOWN-DIRECTIVE', d.line, d.col, `unknown directive \`${word}\`${guess ? ` (did you mean \`${guess}\`${elsewhere}?)` : ''}`);
  }
}

function km(text: string): RegExpExecArray | undefined {
  return KEY.exec(text) ?? undefined;
}

type EmailSettings = { emailalert?: string; emailalertfreq?: number; emailalertstatus?: DaemonStatus[] };

export interface ParsedFallback {
  readonly server: string;
  readonly port: string | undefined;
  readonly forward: ForwardMethod;
  readonly spec: string;
}

/** get_virtual_id_str (L5072): "tcp:10.0.0.1:80", "udp:[::1]:53", "fwm:5", "fwm6:5". */
export function virtualIdOf(v: RawVirtual): string {
  if (v.protocol === 'fwm') return `fwm${v.family === 'inet6' ? '6' : ''}:${v.fwmText}`;
  const host = v.address === undefined ? '?' : v.family === 'inet6' ? `[${v.address}]` : v.address;
  return `${v.protocol}:${host}:${/^[0-9]+$/.test(v.portText) ? v.portText : v.port}`;
}

/** Parses ldirectord.cf text. Pure: all outside facts come from the resolver. */
/** The directives of ldirectord.cf whose values are secrets (checks' and SMTP AUTH passwords, RADIUS secret). */
export const LDIRECTORD_SECRETS = ['passwd', 'secret', 'smtppasswd'] as const;

export function parseLdirectordCf(text: string, opts: ParseOptions): ParseResult {
  const r = new CfParser(text, opts).run();
  const c = r.config;
  const extra = configSecurityWarnings({
    file: opts.file,
    text,
    secretDirectives: LDIRECTORD_SECRETS,
    mode: opts.resolver.fileMode?.(opts.file),
    smtp: c ? { global: c.global, servers: [c.global.smtp, ...c.virtuals.map((v) => v.smtp)] } : undefined,
  });
  return extra.length ? { ...r, diagnostics: [...r.diagnostics, ...extra] } : r;
}
