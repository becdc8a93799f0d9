// `haldir-vrrp import-keepalived [FILE]`: keepalived.conf -> vrrp.cf.
// Converts global_defs, vrrp_instance, vrrp_script and vrrp_sync_group (keepalived
// 2.2.7 keywords) and lists everything it did not convert with its line and why:
// virtual_server blocks belong in ldirectord.cf, includes are not followed, and
// keywords haldir-vrrp has no equivalent for are named. The output always goes
// through parseVrrpConfig; a line it rejects is commented out and reported, so the
// written vrrp.cf passes configtest.

import { hostname } from 'node:os';
import { didYouMean } from '../config/diagnostics.js';
import { iniLine } from './ini-write.js';
import { parseKeepalived, type KaParseOptions, type KaStatement } from './keepalived-parse.js';
import { parseVrrpConfig } from './parse.js';
import { STRICT_UNCONVERTED, globalStrict, instanceFacts } from './keepalived-fixups.js';
import { processIo, readOrReport, type VrrpCliIo } from './cli-io.js';

/**
 * I-UNCONVERTED: left out of vrrp.cf. I-FIXUP: converted as keepalived runs it, which is
 * not what the line says. I-DIFFERS: converted as the author meant, which keepalived reads
 * otherwise. I-TEMPLATE: a template tag, not keepalived syntax. I-REJECTED: keepalived
 * refuses to run this file. I-OUTPUT: the written vrrp.cf still fails configtest.
 */
export type ImportCode = 'I-UNCONVERTED' | 'I-FIXUP' | 'I-DIFFERS' | 'I-TEMPLATE' | 'I-REJECTED' | 'I-OUTPUT';

export interface UnconvertedItem {
  /** Line of the keepalived.conf; 0 = the file as a whole. */
  readonly line: number;
  readonly text: string;
  readonly reason: string;
  /** Default I-UNCONVERTED. */
  readonly code?: ImportCode;
  /** Default warning; errors make the import exit 1. */
  readonly severity?: 'warning' | 'error';
}

export interface ImportResult {
  readonly vrrpCf: string;
  readonly unconverted: readonly UnconvertedItem[];
}

/** An output line and the keepalived line it came from (0: generated). */
interface OutLine {
  text: string;
  readonly from: number;
  readonly source: string;
}

class Emitter {
  readonly lines: OutLine[] = [];
  readonly unconverted: UnconvertedItem[] = [];

  raw(text: string, from = 0, source = ''): void {
    this.lines.push({ text, from, source });
  }
  set(key: string, value: string, s: KaStatement): void {
    this.raw(iniLine(key, value), s.line, s.text);
  }
  skip(s: KaStatement, reason: string): void {
    this.unconverted.push({ line: s.line, text: s.text, reason });
  }
  note(s: KaStatement, code: ImportCode, reason: string, severity: 'warning' | 'error' = 'warning'): void {
    this.unconverted.push({ line: s.line, text: s.text, reason, code, severity });
  }
}

const NOT_SUPPORTED = 'haldir-vrrp has no equivalent keyword';
const LVS_REASON = 'LVS virtual servers belong in ldirectord.cf (haldir reads ldirectord syntax: virtual=VIP:PORT, real=RIP:PORT gate, checktype=negotiate)';

/** keepalived keywords whose value is the rest of the line, copied under the same name. */
const SAME_NAME_INSTANCE = new Set([
  'interface', 'virtual_router_id', 'priority', 'advert_int', 'version', 'preempt_delay', 'unicast_src_ip',
  'garp_master_delay', 'garp_master_repeat', 'garp_master_refresh', 'lvs_sync_daemon_interface',
]);
const NOTIFY = new Set(['notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify']);
const INSTANCE_KEYWORDS = [...SAME_NAME_INSTANCE, ...NOTIFY, 'state', 'nopreempt', 'preempt', 'strict_mode', 'authentication', 'virtual_ipaddress',
  'virtual_ipaddress_excluded', 'unicast_peer', 'track_script', 'track_interface', 'smtp_alert'];
/** Real keepalived 2.2.7 vrrp_instance keywords haldir-vrrp does not implement (no did-you-mean for these). */
const KNOWN_UNSUPPORTED_INSTANCE = new Set([
  'virtual_routes', 'virtual_rules', 'track_file', 'track_process', 'track_bfd', 'track_src_ip', 'dont_track_primary',
  'native_ipv6', 'accept', 'no_accept', 'use_vmac', 'vmac_xmit_base', 'use_ipvlan', 'unicast_ttl', 'unicast_fault_no_peer',
  'garp_master_refresh_repeat', 'garp_lower_prio_delay', 'garp_lower_prio_repeat', 'lower_prio_no_advert',
  'higher_prio_send_advert', 'kernel_rx_buf_size', 'debug', 'notify_deleted', 'notify_priority_changes',
  'notify_master_rx_lower_pri', 'skip_check_adv_addr', 'check_unicast_src', 'old_unicast_checksum',
  'linkbeat_use_polling', 'promote_secondaries', 'down_timer_adverts', 'vrrp_script', 'mcast_ttl',
]);
const SAME_NAME_SCRIPT = new Set(['interval', 'timeout', 'weight', 'rise', 'fall']);

/** keepalived's value for a script/notify keyword: one quoted word is the whole command. */
function commandText(s: KaStatement): string {
  const only = s.args.length === 1 ? s.args[0] : undefined;
  return only ? only.text : s.rest;
}

/** keepalived VIP options vrrp.cf has (ip addr's dev/label/scope/brd); the rest are dropped and reported. */
const VIP_OPTIONS_WITH_VALUE = new Set(['dev', 'label', 'scope', 'brd', 'broadcast']);
/** keepalived VIP options that take a value haldir does not use. */
const VIP_UNSUPPORTED_WITH_VALUE = new Set(['peer', 'preferred_lft', 'valid_lft', 'track_group', 'metric']);

function vipOptions(words: readonly string[]): { kept: string[]; dropped: string[] } {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    const value = words[i + 1];
    if (VIP_OPTIONS_WITH_VALUE.has(w) && value !== undefined) {
      kept.push(w, value);
      i++;
    } else if (VIP_UNSUPPORTED_WITH_VALUE.has(w) && value !== undefined) {
      dropped.push(w, value);
      i++;
    } else dropped.push(w);
  }
  return { kept, dropped };
}

/**
 * A value block's entries. Written on one line (`track_interface eth0`, as keepalived 1.x
 * allowed), the words are the one entry the author meant; keepalived 2.2.7 reads that
 * differently, which valueBlockNotes() reports.
 */
function blockEntries(c: KaStatement): readonly KaStatement[] {
  const [first, ...rest] = c.args;
  if (c.children || !first) return c.children ?? [];
  return [{ keyword: first.text, args: rest, line: c.line, text: c.text, rest: rest.map((a) => a.text).join(' '), children: undefined }];
}

/** Every statement keepalived reads as a value block opened without "{" (KaStatement.swallows). */
function valueBlockNotes(list: readonly KaStatement[], e: Emitter): void {
  list.forEach((c, i) => {
    if (c.swallows) {
      const { from, to } = c.swallows;
      const lost = list.slice(i + 1).filter((x) => x.line >= from && x.line <= to).map((x) => x.keyword);
      const range = from === to ? `line ${from}` : `lines ${from}-${to}`;
      e.note(c, 'I-DIFFERS', `keepalived reads this otherwise: it ignores "${c.rest}" ("Block ${c.keyword} has extra parameters") and reads ${range}, up to the first "}", as ${c.keyword} entries${lost.length ? ` (losing ${[...new Set(lost)].join(', ')})` : ''}, and then refuses to run or runs without them; this conversion does what the line means. Write ${c.keyword} { ${c.rest} } so both read it the same way`);
    }
    valueBlockNotes(c.children ?? [], e);
  });
}

function lineEntries(s: KaStatement): string[] {
  return (s.children ?? []).map((c) => [c.keyword, ...c.args.map((a) => a.text)].join(' '));
}

function needsArgs(s: KaStatement, e: Emitter): boolean {
  if (s.args.length === 0) {
    e.skip(s, `${s.keyword} without a value`);
    return false;
  }
  return true;
}

function convertGlobal(s: KaStatement, e: Emitter): void {
  e.raw('[global]', s.line, s.text);
  for (const c of s.children ?? []) {
    switch (c.keyword) {
      case 'router_id':
      case 'smtp_connect_timeout':
      case 'vrrp_mcast_group4':
      case 'vrrp_mcast_group6':
        if (needsArgs(c, e)) e.set(c.keyword, c.args[0]?.text ?? '', c);
        break;
      case 'vrrp_version':
        if (needsArgs(c, e)) e.set('vrrp_version', c.args[0]?.text ?? '', c);
        break;
      case 'notification_email': {
        const addrs = [...c.args.map((a) => a.text), ...lineEntries(c)].flatMap((x) => x.split(/\s+/)).filter((x) => x !== '');
        if (addrs.length > 0) e.set('emailalert', addrs.join(', '), c);
        break;
      }
      case 'notification_email_from':
        if (needsArgs(c, e)) e.set('emailalertfrom', c.rest.replace(/^"(.*)"$/, '$1'), c);
        break;
      case 'smtp_server': {
        if (!needsArgs(c, e)) break;
        const host = c.args[0]?.text ?? '';
        const port = c.args[1]?.text;
        e.set('smtp', port ? `${host.includes(':') ? `[${host}]` : host}:${port}` : host, c);
        break;
      }
      case 'smtp_alert':
        e.set('smtp_alert', c.args[0]?.text ?? 'yes', c);
        break;
      case 'vrrp_strict':
        e.skip(c, STRICT_UNCONVERTED);
        break;
      default:
        e.skip(c, `global_defs ${c.keyword}: ${NOT_SUPPORTED}`);
    }
  }
}

interface InstanceContext {
  readonly defaultVersion: string;
  readonly globalStrict: boolean;
}

function convertInstance(s: KaStatement, e: Emitter, ctx: InstanceContext): void {
  const name = s.args[0]?.text ?? '';
  e.raw('');
  e.raw(`[vrrp_instance ${name}]`, s.line, s.text);
  const kids = s.children ?? [];
  const firstVip = kids.find((c) => c.keyword === 'virtual_ipaddress')?.children?.[0]?.keyword ?? '';
  const ipv6 = firstVip.includes(':');
  // keepalived: version, else global vrrp_version, else 3 for an IPv6 instance, else 2
  const writtenVersion = kids.find((c) => c.keyword === 'version')?.args[0]?.text;
  const facts = instanceFacts(kids, { globalStrict: ctx.globalStrict, version: writtenVersion ?? (ipv6 ? '3' : ctx.defaultVersion), ipv6 });
  const version = facts.version ?? writtenVersion ?? (ipv6 ? '3' : ctx.defaultVersion);
  for (const reason of facts.rejected) e.note(s, 'I-REJECTED', reason, 'error');
  const stateLine = kids.find((c) => c.keyword === 'state' && c.args.length > 0);
  for (const c of kids) {
    if (c.keyword === 'advert_int' && version !== '3' && /^\d*\.\d+$/.test(c.args[0]?.text ?? '')) {
      // keepalived: "VRRPv2 advertisement interval 0.5s must be an integer. rounding"
      const rounded = String(Math.max(1, Math.round(Number(c.args[0]?.text))));
      e.set('advert_int', rounded, c);
      e.note(c, 'I-FIXUP', `advert_int ${c.args[0]?.text} with VRRPv2: keepalived rounds it to ${rounded}, and so does this conversion (set version 3 on both nodes for sub-second adverts)`);
      continue;
    }
    if (c.keyword === 'priority' && facts.invalidPriority !== undefined && c.args[0]?.text === facts.invalidPriority) {
      // vrrp_prio_handler: "Priority not valid! must be between 1 & 255. Using default 100"
      e.set('priority', String(facts.priority), c);
      e.note(c, 'I-FIXUP', `priority ${facts.invalidPriority} is not a whole number in 1..255: keepalived uses its default ${facts.priority} (also for state MASTER, which would otherwise mean 255), and so does this conversion; write the priority you mean`);
      continue;
    }
    if (c.keyword === 'version' && facts.version !== undefined) {
      e.set('version', facts.version, c);
      e.note(c, 'I-FIXUP', `version ${c.args[0]?.text ?? ''} with IPv6 addresses in strict mode (vrrp_strict): keepalived runs VRRP version ${facts.version} ("cannot use IPv6 with VRRP version 2; setting version 3"), and so does this conversion`);
      continue;
    }
    if (c.keyword === 'preempt_delay' && facts.dropPreemptDelayReason !== undefined) {
      e.note(c, 'I-FIXUP', facts.dropPreemptDelayReason);
      continue;
    }
    if (SAME_NAME_INSTANCE.has(c.keyword)) {
      if (needsArgs(c, e)) e.set(c.keyword, c.args[0]?.text ?? '', c);
      continue;
    }
    if (NOTIFY.has(c.keyword)) {
      if (needsArgs(c, e)) e.set(c.keyword, commandText(c), c);
      continue;
    }
    switch (c.keyword) {
      case 'state': {
        if (!needsArgs(c, e) || c !== stateLine) break;
        // keepalived's effective start state (keepalived-fixups.ts): strict mode, AH, an unknown word
        e.set('state', facts.state, c);
        if (facts.stateReason !== undefined) e.note(c, 'I-FIXUP', facts.stateReason);
        break;
      }
      case 'nopreempt':
      case 'preempt':
        // The last of nopreempt / preempt wins (preempt is keepalived's default, kept for old configs).
        if (c.keyword === 'nopreempt' && facts.nopreemptReason !== undefined) e.note(c, 'I-FIXUP', facts.nopreemptReason);
        else if (c.keyword === 'nopreempt' && facts.nopreempt) e.set('nopreempt', 'yes', c);
        break;
      case 'strict_mode':
        // Applied above (state, authentication, preempt_delay, version).
        break;
      case 'authentication':
        if (facts.dropAuthReason !== undefined) {
          e.note(c, 'I-FIXUP', facts.dropAuthReason);
          break;
        }
        for (const a of c.children ?? []) {
          if (a.keyword === 'auth_type' && a.args[0]?.text !== 'PASS') e.skip(a, `auth_type ${a.args[0]?.text ?? ''}: haldir-vrrp supports PASS only (AH is deprecated by RFC 3768)`);
          else if (a.keyword === 'auth_type' || a.keyword === 'auth_pass') {
            if (needsArgs(a, e)) e.set(a.keyword, a.args[0]?.text ?? '', a);
          } else e.skip(a, `authentication ${a.keyword}: ${NOT_SUPPORTED}`);
        }
        break;
      case 'virtual_ipaddress':
      case 'virtual_ipaddress_excluded':
        for (const v of blockEntries(c)) {
          const { kept, dropped } = vipOptions(v.args.map((a) => a.text));
          e.set(`${c.keyword}[]`, [v.keyword, ...kept].join(' '), v);
          if (dropped.length > 0) e.skip(v, `virtual address options ${dropped.join(' ')}: ${NOT_SUPPORTED} (the address itself is converted)`);
        }
        break;
      case 'unicast_peer':
        for (const p of blockEntries(c)) {
          e.set('unicast_peer[]', p.keyword, p);
          if (p.args.length > 0) e.skip(p, `unicast_peer options (${p.rest}): ${NOT_SUPPORTED}`);
        }
        break;
      case 'track_script':
      case 'track_interface':
        for (const t of blockEntries(c)) e.set(`${c.keyword}[]`, [t.keyword, ...t.args.map((a) => a.text)].join(' '), t);
        break;
      case 'smtp_alert':
        e.set('smtp_alert', c.args[0]?.text ?? 'yes', c);
        break;
      case 'mcast_src_ip':
        // keepalived: an alias of unicast_src_ip (the adverts' source address)
        if (needsArgs(c, e)) e.set('unicast_src_ip', c.args[0]?.text ?? '', c);
        break;
      default: {
        const guess = KNOWN_UNSUPPORTED_INSTANCE.has(c.keyword) ? undefined : didYouMean(c.keyword, INSTANCE_KEYWORDS);
        e.skip(c, ['virtual_server', 'real_server'].includes(c.keyword) ? LVS_REASON
          : `vrrp_instance ${c.keyword}: ${guess ? `unknown keyword (keepalived ignores it too); did you mean ${guess}?` : NOT_SUPPORTED}`);
      }
    }
  }
}

function convertScript(s: KaStatement, e: Emitter): void {
  e.raw('');
  e.raw(`[vrrp_script ${s.args[0]?.text ?? ''}]`, s.line, s.text);
  for (const c of s.children ?? []) {
    if (c.keyword === 'script') {
      if (needsArgs(c, e)) e.set('script', commandText(c), c);
    } else if (SAME_NAME_SCRIPT.has(c.keyword)) {
      if (needsArgs(c, e)) e.set(c.keyword, c.args[0]?.text ?? '', c);
    } else e.skip(c, `vrrp_script ${c.keyword}: ${NOT_SUPPORTED}`);
  }
}

function convertSyncGroup(s: KaStatement, e: Emitter): void {
  e.raw('');
  e.raw(`[vrrp_sync_group ${s.args[0]?.text ?? ''}]`, s.line, s.text);
  for (const c of s.children ?? []) {
    if (c.keyword === 'group') {
      for (const g of blockEntries(c)) for (const n of [g.keyword, ...g.args.map((a) => a.text)]) e.set('group[]', n, g);
    } else if (NOTIFY.has(c.keyword)) {
      // keepalived runs them on the group's transitions, as haldir-vrrp does (docs/vrrp-config.md)
      if (needsArgs(c, e)) e.set(c.keyword, commandText(c), c);
    } else if (/^(notify|smtp_alert|global_tracking|sync_group_tracking_weight|track_)/.test(c.keyword)) {
      e.skip(c, `vrrp_sync_group ${c.keyword}: ${NOT_SUPPORTED} (put mail alerts and tracking on each instance)`);
    } else e.skip(c, `vrrp_sync_group ${c.keyword}: not a keepalived keyword (keepalived ignores it too); members belong in group { ... }`);
  }
}

function convertTop(s: KaStatement, e: Emitter, ctx: InstanceContext): void {
  const named = s.args.length > 0;
  switch (s.keyword) {
    case 'global_defs':
      return convertGlobal(s, e);
    case 'vrrp_instance':
      return named ? convertInstance(s, e, ctx) : e.skip(s, 'vrrp_instance without a name');
    case 'vrrp_script':
      return named ? convertScript(s, e) : e.skip(s, 'vrrp_script without a name');
    case 'vrrp_sync_group':
      return named ? convertSyncGroup(s, e) : e.skip(s, 'vrrp_sync_group without a name');
    case 'virtual_server':
    case 'virtual_server_group':
      return e.skip(s, LVS_REASON);
    case 'include':
      return e.skip(s, 'include is not followed: import the included file on its own and merge the sections');
    default:
      return e.skip(s, `${s.keyword}: ${NOT_SUPPORTED}`);
  }
}

/** Comment out output lines vrrp.cf's parser rejects, until it accepts the file. */
function repair(e: Emitter): void {
  for (let round = 0; round < 10; round++) {
    const text = e.lines.map((l) => l.text).join('\n') + '\n';
    const errors = parseVrrpConfig(text, 'vrrp.cf', { hostname: 'import' }).diagnostics.filter((d) => d.severity === 'error');
    const fixable = errors.filter((d) => d.line > 0 && !(e.lines[d.line - 1]?.text.startsWith(';') ?? true));
    if (fixable.length === 0) {
      // Reported where the problem is: the keepalived.conf line the output line came from,
      // or the file as a whole (line 0) for a file-wide one such as "no instance".
      for (const d of errors) {
        const out = d.line > 0 ? e.lines[d.line - 1] : undefined;
        const where = out && out.from === 0 ? ` (line ${d.line} of the written vrrp.cf)` : '';
        e.unconverted.push({ line: out?.from ?? 0, text: out?.source ?? '', code: 'I-OUTPUT', severity: 'error', reason: `the written vrrp.cf fails configtest: ${d.code}: ${d.message}${where}` });
      }
      return;
    }
    for (const d of fixable) {
      const out = e.lines[d.line - 1];
      if (!out) continue;
      e.unconverted.push({ line: out.from, text: out.source, reason: `${d.code}: ${d.message}` });
      if (out.text.startsWith('[')) {
        // A section vrrp.cf cannot accept: comment out the whole section.
        for (let i = d.line - 1; i < e.lines.length && !(i > d.line - 1 && e.lines[i]?.text.startsWith('[')); i++) {
          const l = e.lines[i];
          if (l && l.text !== '' && !l.text.startsWith(';')) l.text = `; ${l.text}`;
        }
      } else out.text = `; ${out.text}`;
    }
  }
}

export function importKeepalived(text: string, file: string, options: KaParseOptions = {}): ImportResult {
  const parsed = parseKeepalived(text, options);
  const e = new Emitter();
  e.raw(`; vrrp.cf converted from ${file} by haldir-vrrp import-keepalived`);
  e.raw('; check it with: haldir-vrrp configtest FILE');
  const statements = parsed.statements;
  // [global] first: vrrp.cf readers expect it on top, keepalived allows global_defs anywhere.
  const globals = statements.filter((s) => s.keyword === 'global_defs');
  if (globals.length > 1) for (const g of globals.slice(1)) e.skip(g, 'a second global_defs block; merge it into the first');
  for (const s of globals.slice(0, 1)) convertGlobal(s, e);
  const defaultVersion = globals[0]?.children?.find((c) => c.keyword === 'vrrp_version')?.args[0]?.text ?? '2';
  const ctx: InstanceContext = { defaultVersion, globalStrict: globalStrict(globals) };
  valueBlockNotes(statements, e);
  for (const s of statements) if (s.keyword !== 'global_defs') convertTop(s, e, ctx);
  repair(e);
  // A template line gets its one note: what else goes wrong on it follows from the tags.
  const templateLines = new Set(parsed.notes.filter((n) => n.code === 'I-TEMPLATE').map((n) => n.line));
  const unconverted = [...parsed.notes, ...e.unconverted]
    .filter((u) => u.code === 'I-TEMPLATE' || !templateLines.has(u.line))
    .sort((a, b) => a.line - b.line);
  return { vrrpCf: e.lines.map((l) => l.text).join('\n') + '\n', unconverted };
}

const USAGE = `usage: haldir-vrrp import-keepalived [-o OUT] [-i ID] [FILE]   (default /etc/keepalived/keepalived.conf)
  writes vrrp.cf to stdout (or OUT); lists what was not converted on stderr
  -i, --config-id ID   which @ID conditional lines apply (keepalived -i; default: the host name)
exit status: 0 converted (see the list), 1 unreadable input, an output that does not pass configtest
  or an error above (a file keepalived refuses to run, a template), 2 bad usage
`;

/** `FILE:LINE: severity[CODE]: reason: source line`, as configtest prints (no LINE for the file as a whole). */
export function formatImportNote(file: string, u: UnconvertedItem): string {
  return `${file}${u.line > 0 ? `:${u.line}` : ''}: ${u.severity ?? 'warning'}[${u.code ?? 'I-UNCONVERTED'}]: ${u.reason}${u.text ? `: ${u.text}` : ''}`;
}

export async function runImportKeepalived(argv: readonly string[], io: VrrpCliIo = processIo): Promise<number> {
  let out: string | undefined;
  let configId: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '-o' || a === '--output') {
      out = argv[++i];
      if (out === undefined) {
        io.stderr(`haldir-vrrp import-keepalived: ${a} needs a file\n${USAGE}`);
        return 2;
      }
    } else if (a === '-i' || a === '--config-id') {
      configId = argv[++i];
      if (configId === undefined) {
        io.stderr(`haldir-vrrp import-keepalived: ${a} needs an id\n${USAGE}`);
        return 2;
      }
    } else if (a === '-h' || a === '--help') {
      io.stdout(USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      io.stderr(`haldir-vrrp import-keepalived: unknown option ${a}\n${USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (files.length > 1) {
    io.stderr(`haldir-vrrp import-keepalived: one file at a time\n${USAGE}`);
    return 2;
  }
  const file = files[0] ?? '/etc/keepalived/keepalived.conf';
  const text = await readOrReport(io, file, 'import-keepalived [-o OUT] [FILE]');
  if (text === undefined) return 1;
  // keepalived's config id defaults to the host name (-i): the node this runs on
  const r = importKeepalived(text, file, { configId: configId ?? io.hostname ?? hostname() });
  for (const u of r.unconverted) io.stderr(formatImportNote(file, u) + '\n');
  if (out !== undefined) await io.writeFile(out, r.vrrpCf);
  else io.stdout(r.vrrpCf);
  const clean = !parseVrrpConfig(r.vrrpCf, out ?? 'vrrp.cf', { hostname: 'import' }).diagnostics.some((d) => d.severity === 'error');
  const rejected = r.unconverted.some((u) => u.code === 'I-REJECTED');
  const template = r.unconverted.some((u) => u.code === 'I-TEMPLATE');
  io.stderr(`${file}: converted; ${r.unconverted.length} item(s) not converted${clean ? '' : '; the output does NOT pass configtest'}${rejected ? '; keepalived itself refuses to run this file' : ''}${template ? '; it is a template: render it first' : ''}\n`);
  return clean && !r.unconverted.some((u) => u.severity === 'error') ? 0 : 1;
}
