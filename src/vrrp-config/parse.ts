// vrrp.cf -> VrrpConfig + diagnostics, in one pass over the whole file.
// Sections: [global], [vrrp_instance NAME], [vrrp_script NAME], [vrrp_sync_group NAME]
// with keepalived 2.2.7's directive names; defaults and checks follow keepalived's
// vrrp_parser.c and vrrp_complete_instance() (vrrp.c), which this cites where they matter.

import { hostname as osHostname } from 'node:os';
import type { AddressFamily, Diagnostic, SourceRef } from '../config/model.js';
import { didYouMean } from '../config/diagnostics.js';
import { DiagnosticSink, sortDiagnostics } from './diagnostics.js';
import { DIRECTIVES, SECTION_KINDS, type SectionKind } from './directives.js';
import { scanIni, type ScannedEntry, type ScannedSection, type IniScan } from './ini-scan.js';
import {
  VRRP_DEFAULTS,
  type CommandLine,
  type HostPort,
  type SplitBrainAction,
  type SplitBrainSettings,
  type TrackRef,
  type VirtualIp,
  type VrrpConfig,
  type VrrpGlobal,
  type VrrpInstance,
  type VrrpParseResult,
  type VrrpScript,
  type VrrpSyncGroup,
  type VrrpVersion,
} from './model.js';
import { SectionReader, type Located } from './section-reader.js';
import {
  familyOf,
  isValueError,
  parseAddress,
  parseEmail,
  parseEmailList,
  parseHostPort,
  parseTrackRef,
  parseVip,
  splitCommand,
  type Parsed,
} from './values.js';

export interface VrrpParseOptions {
  /** Default router_id (keepalived uses the host name). */
  readonly hostname?: string;
}

/** keepalived: auth_pass is cut to 8 bytes (RFC 3768 5.3.6 has 8 octets of auth data). */
const AUTH_PASS_MAX = 8;
/** keepalived vrrp_script weight range (vrrp_parser.c vrrp_weight_handler). */
const WEIGHT_RANGE = [-253, 253] as const;
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_:@+-]*$/;

interface NamedSection {
  readonly kind: SectionKind;
  readonly name: string;
  readonly header: ScannedSection;
  readonly entries: ScannedEntry[];
}

function looksLikeKeepalived(e: ScannedEntry): boolean {
  return e.key.includes('{') || e.key.includes('}') || (e.bare && /^\w+\s+\S+/.test(e.key));
}

/** Split headers into typed sections, reporting bad, unknown and repeated ones. */
function collectSections(scan: IniScan, sink: DiagnosticSink): NamedSection[] {
  const out = new Map<string, NamedSection>();
  for (const e of scan.topLevel.entries) {
    if (looksLikeKeepalived(e)) continue;
    sink.report('E-OUTSIDE-SECTION', `"${e.key}" is outside any section; put it under [global] or [vrrp_instance NAME]`, e.line, e.keyColumn);
  }
  for (const s of scan.sections) {
    const [kindWord = '', ...rest] = s.name.trim().split(/\s+/);
    const name = rest.join(' ');
    const kind = SECTION_KINDS.find((k) => k === kindWord);
    if (kind === undefined) {
      const guess = didYouMean(kindWord, SECTION_KINDS);
      sink.report('E-UNKNOWN-SECTION', `unknown section [${s.name}]; sections are [global], [vrrp_instance NAME], [vrrp_script NAME], [vrrp_sync_group NAME]${guess ? `; did you mean [${guess}${name ? ' ' + name : ''}]?` : ''}`, s.line, s.column);
      continue;
    }
    if (s.name.includes('.')) {
      sink.report('E-SECTION-NAME', `"." in [${s.name}]: ini reads it as a nested section; use "_" instead`, s.line, s.column);
      continue;
    }
    if (kind === 'global' ? name !== '' : !NAME_RE.test(name)) {
      sink.report('E-SECTION-NAME', kind === 'global'
        ? `[global] takes no name, got [${s.name}]`
        : `[${kind}] needs one name of letters, digits, "_", "-", ":" (e.g. [${kind} ${kind === 'vrrp_script' ? 'check_web' : kind === 'vrrp_sync_group' ? 'VG_1' : 'VI_1'}]), got [${s.name}]`, s.line, s.column);
      continue;
    }
    const prev = out.get(s.name);
    if (prev) {
      // ini merges repeated sections silently; keepalived rejects a repeated instance name.
      sink.report('E-DUPLICATE-SECTION', `[${s.name}] already starts at line ${prev.header.line}; ini would merge the two`, s.line, s.column);
      prev.entries.push(...s.entries);
      continue;
    }
    out.set(s.name, { kind, name, header: s, entries: [...s.entries] });
  }
  return [...out.values()];
}

function reportScanNotes(scan: IniScan, sink: DiagnosticSink): void {
  for (const n of scan.notes) {
    if (n.kind === 'ignored-line') {
      sink.report('E-SYNTAX', 'ini ignores a line starting with "="; write key = value', n.line, n.column);
    } else if (n.kind === 'inline-comment') {
      sink.report('W-INLINE-COMMENT', `ini reads this value as "${n.kept}" and drops "${n.dropped}" as a comment; quote the whole value ("...") to keep ";" or "#"`, n.line, n.column);
    } else {
      sink.report('W-PARTIAL-QUOTE', 'ini only unquotes a value quoted as a whole; with text after the closing quote (a comment too) the quotes stay in the value', n.line, n.column);
    }
  }
  for (const s of [scan.topLevel, ...scan.sections]) {
    for (const e of s.entries) {
      if (looksLikeKeepalived(e)) {
        sink.report('E-KEEPALIVED-SYNTAX', `"${e.key}${e.bare ? '' : ' = ...'}" is keepalived.conf syntax; vrrp.cf is ini (key = value). Convert with: haldir-vrrp import-keepalived keepalived.conf`, e.line, e.keyColumn);
      } else if (e.key.startsWith('[')) {
        sink.report('E-SECTION-SYNTAX', `ini reads "${e.key}" as a key, not a section: nothing (not even a comment) may follow "]" on a section line`, e.line, e.keyColumn);
      }
    }
  }
}

function dropStructuralNoise(entries: readonly ScannedEntry[]): ScannedEntry[] {
  // Already reported by reportScanNotes; do not report them again as unknown directives.
  return entries.filter((e) => !looksLikeKeepalived(e) && !e.key.startsWith('['));
}

function command(r: SectionReader, key: string): CommandLine | undefined {
  return r.parsed(key, splitCommand)?.value;
}

function parseSplitBrainAction(v: string): Parsed<SplitBrainAction> {
  const s = v.trim();
  if (s === 'alert' || s === 'yield') return { ok: { kind: s } };
  if (s.startsWith('script:')) {
    const c = splitCommand(s.slice('script:'.length));
    return isValueError(c) ? c : { ok: { kind: 'script', command: c.ok } };
  }
  return { error: 'E-BAD-ENUM', message: `expected alert, yield or script:/path/to/command, got "${v}"` };
}

function splitBrain(r: SectionReader, inherited: SplitBrainSettings): SplitBrainSettings {
  const port = VRRP_DEFAULTS.statusPort;
  return {
    peer: r.parsed('peer', (v) => parseHostPort(v, port))?.value ?? inherited.peer,
    statusListen: r.parsed('status_listen', (v) => parseHostPort(v, port))?.value ?? inherited.statusListen,
    splitBrainAction: r.parsed('split_brain_action', parseSplitBrainAction)?.value ?? inherited.splitBrainAction,
    notifySplitBrain: command(r, 'notify_split_brain') ?? inherited.notifySplitBrain,
  };
}

function multicastGroup(r: SectionReader, key: string, family: AddressFamily, def: string): string {
  const a = r.parsed(key, parseAddress);
  if (!a) return def;
  const isMcast = family === 'inet' ? /^2(2[4-9]|3\d)\./.test(a.value.address) : /^ff/i.test(a.value.address);
  if (a.value.family !== family || !isMcast) {
    r.report('E-BAD-ADDRESS', `${key} must be an ${family === 'inet' ? 'IPv4 (224.0.0.0/4)' : 'IPv6 (ff00::/8)'} multicast address, got "${a.value.address}"`, a.entry);
    return def;
  }
  return a.value.address;
}

function readGlobal(r: SectionReader | undefined, sink: DiagnosticSink, hostname: string): VrrpGlobal {
  const noSplitBrain: SplitBrainSettings = { peer: undefined, statusListen: undefined, splitBrainAction: { kind: 'alert' }, notifySplitBrain: undefined };
  if (!r) {
    return {
      routerId: hostname, emailalert: [], emailalertfrom: undefined, smtp: undefined,
      smtpConnectTimeout: VRRP_DEFAULTS.smtpConnectTimeout, smtpuser: undefined, smtppasswd: undefined, smtptls: 'none',
      mcastGroup4: VRRP_DEFAULTS.mcastGroup4, mcastGroup6: VRRP_DEFAULTS.mcastGroup6, version: VRRP_DEFAULTS.version,
      smtpAlert: false, source: undefined, ...noSplitBrain,
    };
  }
  const emails = r.texts('emailalert').flatMap((t) => {
    const p = parseEmailList(t.value);
    if (isValueError(p)) {
      r.report(p.error, `emailalert: ${p.message}`, t.entry);
      return [];
    }
    return p.ok;
  });
  const version = r.oneOf('vrrp_version', ['2', '3'] as const);
  return {
    routerId: r.text('router_id')?.value ?? hostname,
    emailalert: emails,
    emailalertfrom: r.parsed('emailalertfrom', parseEmail)?.value,
    smtp: r.parsed('smtp', (v) => parseHostPort(v.replace(/^(\S+)\s+(\d+)$/, '$1:$2'), VRRP_DEFAULTS.smtpPort))?.value,
    smtpConnectTimeout: r.integer('smtp_connect_timeout', 1, 3600)?.value ?? VRRP_DEFAULTS.smtpConnectTimeout,
    smtpuser: r.text('smtpuser')?.value,
    smtppasswd: r.entry('smtppasswd')?.value,
    smtptls: r.oneOf('smtptls', ['none', 'starttls', 'tls'] as const)?.value ?? 'none',
    mcastGroup4: multicastGroup(r, 'vrrp_mcast_group4', 'inet', VRRP_DEFAULTS.mcastGroup4),
    mcastGroup6: multicastGroup(r, 'vrrp_mcast_group6', 'inet6', VRRP_DEFAULTS.mcastGroup6),
    version: version ? (Number(version.value) as VrrpVersion) : VRRP_DEFAULTS.version,
    smtpAlert: r.flag('smtp_alert')?.value ?? false,
    source: undefined,
    ...splitBrain(r, noSplitBrain),
  };
}

function vipList(r: SectionReader, key: string): VirtualIp[] {
  return r.texts(key).flatMap((t) => {
    const p = parseVip(t.value);
    if (isValueError(p)) {
      r.report(p.error, `${key}: ${p.message}`, t.entry);
      return [];
    }
    return [{ ...p.ok, raw: t.value, source: r.ref(t.entry) }];
  });
}

/** Pending cross-section references, resolved once every section is read. */
interface PendingTrack {
  readonly name: string;
  readonly weight: number | undefined;
  readonly entry: ScannedEntry;
}

interface InstanceDraft {
  readonly instance: Omit<VrrpInstance, 'trackScripts' | 'syncGroup'>;
  readonly trackScripts: readonly PendingTrack[];
  readonly vridEntry: ScannedEntry | undefined;
  /** Priority 255 only because of state MASTER without a priority (for messages). */
  readonly ownerByDefault: boolean;
}

function readTracks(r: SectionReader, key: string): PendingTrack[] {
  return r.texts(key).flatMap((t) => {
    const p = parseTrackRef(t.value, WEIGHT_RANGE);
    if (isValueError(p)) {
      r.report(p.error, `${key}: ${p.message}`, t.entry);
      return [];
    }
    return [{ ...p.ok, entry: t.entry }];
  });
}

/** advert_int per version: v2 whole seconds 1..255 (RFC 3768 5.3.7), v3 centiseconds up to 4095 (RFC 5798 5.2.7). */
function advertInt(r: SectionReader, version: VrrpVersion): number {
  const [min, max] = version === 2 ? [1, 255] : [0.01, 40.95];
  const n = r.number('advert_int', version === 2 ? 0 : min, max);
  if (!n) return VRRP_DEFAULTS.advertInt;
  if (version === 2 && !Number.isInteger(n.value)) {
    r.report('E-V2-SUBSECOND', `advert_int ${n.value}: VRRPv2 adverts carry whole seconds; use version = 3 for sub-second intervals or a whole number`, n.entry);
    return VRRP_DEFAULTS.advertInt;
  }
  if (n.value < min) {
    r.report('E-RANGE', `advert_int ${n.value} is outside ${min}..${max}`, n.entry);
    return VRRP_DEFAULTS.advertInt;
  }
  // v3 carries centiseconds; keepalived truncates (0.123 s -> 12 cs), the epsilon absorbs binary fractions.
  return Math.floor(n.value * 100 + 1e-9) / 100;
}

function readInstance(name: string, r: SectionReader, header: ScannedSection, g: VrrpGlobal): InstanceDraft {
  const vips = vipList(r, 'virtual_ipaddress');
  const excludedVips = vipList(r, 'virtual_ipaddress_excluded');
  const family: AddressFamily = vips[0]?.family ?? excludedVips[0]?.family ?? 'inet';
  const mixed = vips.find((v) => v.family !== family);
  const mixedEntry = mixed && r.entries('virtual_ipaddress').find((e) => e.line === mixed.source.line);
  if (mixedEntry) {
    r.report('E-MIXED-FAMILY', `virtual_ipaddress ${mixed?.address} is not of the first VIP's family; one instance advertises one family (put the other family in its own instance or in virtual_ipaddress_excluded)`, mixedEntry);
  }
  if (vips.length === 0 && !r.has('virtual_ipaddress')) {
    r.reportAtHeader('W-NO-VIPS', `${r.label} has no virtual_ipaddress; it will elect a master but move no address`);
  }

  const explicitVersion = r.oneOf('version', ['2', '3'] as const);
  let version: VrrpVersion = explicitVersion ? (Number(explicitVersion.value) as VrrpVersion) : g.version;
  if (family === 'inet6' && version === 2) {
    if (explicitVersion) {
      r.report('E-V2-IPV6', 'VRRPv2 (RFC 3768) carries IPv4 addresses only; set version = 3 for IPv6 virtual addresses', explicitVersion.entry);
    }
    // keepalived switches an IPv6 instance to v3 (also when [global] vrrp_version = 2).
    version = 3;
  }

  const state = r.oneOf('state', ['MASTER', 'BACKUP'] as const, true);
  const priority = r.integer('priority', 1, 255, 'E-PRIORITY-RANGE');
  // keepalived 2.2.7 (vrrp_complete_instance): state MASTER without a priority is the address owner, 255.
  const effectivePriority = priority?.value ?? (state?.value === 'MASTER' && !r.has('priority') ? 255 : VRRP_DEFAULTS.priority);
  const nopreemptSetting = r.flag('nopreempt');
  let nopreempt = nopreemptSetting?.value ?? false;
  if (nopreemptSetting && nopreempt && (state?.value === 'MASTER' || effectivePriority === 255)) {
    // keepalived: "nopreempt will not work with initial state MASTER - clearing" (and likewise for priority 255)
    r.report('W-NOPREEMPT-MASTER', `nopreempt is ignored with ${state?.value === 'MASTER' ? 'state = MASTER' : 'priority 255'} (as keepalived does): a MASTER start always takes over; for nopreempt set state = BACKUP on every node, priorities below 255, and let priority pick the first master`, nopreemptSetting.entry, 'key');
    nopreempt = false;
  }
  let preemptDelay = r.number('preempt_delay', 0, 1000);
  const startsMaster = state ? state.value === 'MASTER' : effectivePriority === 255;
  if ((nopreempt || startsMaster) && preemptDelay && preemptDelay.value > 0) {
    // keepalived resets it: nopreempt never preempts, an initial MASTER does not wait to take over
    r.report('W-PREEMPT-DELAY-IGNORED', nopreempt
      ? 'preempt_delay has no effect with nopreempt (keepalived resets it to 0); drop one of them'
      : 'preempt_delay has no effect on an instance that starts as MASTER (keepalived resets it to 0); use it on BACKUP nodes', preemptDelay.entry, 'key');
    preemptDelay = undefined;
  }

  const authType = r.oneOf('auth_type', ['PASS'] as const, true);
  const authPass = r.text('auth_pass');
  let auth: VrrpInstance['auth'];
  if (r.has('auth_type') !== r.has('auth_pass')) {
    const e = r.entry('auth_type') ?? r.entry('auth_pass');
    if (e) r.report('E-AUTH-INCOMPLETE', r.has('auth_type') ? 'auth_type needs auth_pass = SECRET' : 'auth_pass needs auth_type = PASS', e, 'key');
  } else if (authType && authPass) {
    if (authPass.value.length > AUTH_PASS_MAX) {
      r.report('W-AUTH-PASS-TRUNCATED', `auth_pass is ${authPass.value.length} characters; VRRP carries 8, so only "${authPass.value.slice(0, AUTH_PASS_MAX)}" is used (as keepalived does)`, authPass.entry);
    }
    if (version === 3) {
      r.report('W-AUTH-V3-IGNORED', 'VRRPv3 (RFC 5798) has no authentication; auth_type/auth_pass are ignored', authType.entry, 'key');
    } else {
      auth = { type: 'PASS', pass: authPass.value.slice(0, AUTH_PASS_MAX) };
    }
  }

  const unicastSrc = r.parsed('unicast_src_ip', parseAddress);
  const peers = r.texts('unicast_peer').flatMap((t) => {
    const p = parseAddress(t.value);
    if (isValueError(p)) {
      r.report(p.error, `unicast_peer: ${p.message}`, t.entry);
      return [];
    }
    if (p.ok.family !== family) {
      r.report('E-UNICAST-FAMILY', `unicast_peer ${p.ok.address} is not of the VIPs' family (${family === 'inet' ? 'IPv4' : 'IPv6'})`, t.entry);
    }
    return [p.ok.address];
  });
  if (unicastSrc && unicastSrc.value.family !== family) {
    r.report('E-UNICAST-FAMILY', `unicast_src_ip ${unicastSrc.value.address} is not of the VIPs' family (${family === 'inet' ? 'IPv4' : 'IPv6'})`, unicastSrc.entry);
  }

  const iface = r.text('interface');
  const vrid = r.integer('virtual_router_id', 1, 255, 'E-VRID-RANGE');
  for (const [key, have] of [['interface', r.has('interface')], ['virtual_router_id', r.has('virtual_router_id')]] as const) {
    if (!have) {
      r.reportAtHeader('E-MISSING-DIRECTIVE', `${r.label} needs ${key} = ${key === 'interface' ? 'IFNAME' : '1..255 (the same on both nodes)'}`);
    }
  }
  const trackInterfaces: TrackRef[] = readTracks(r, 'track_interface').map((t) => ({ name: t.name, weight: t.weight ?? 0, source: r.ref(t.entry) }));
  const instance: Omit<VrrpInstance, 'trackScripts' | 'syncGroup'> = {
    name,
    // keepalived: an address owner (priority 255) without a state starts as MASTER.
    initialState: state?.value ?? (effectivePriority === 255 ? 'MASTER' : 'BACKUP'),
    interface: iface?.value ?? '',
    vrid: vrid?.value ?? 0,
    priority: effectivePriority,
    advertInt: advertInt(r, version),
    version,
    family,
    nopreempt,
    preemptDelay: preemptDelay?.value ?? VRRP_DEFAULTS.preemptDelay,
    auth,
    vips,
    excludedVips,
    unicastSrcIp: unicastSrc?.value.address,
    unicastPeers: peers,
    trackInterfaces,
    notify: {
      master: command(r, 'notify_master'),
      backup: command(r, 'notify_backup'),
      fault: command(r, 'notify_fault'),
      stop: command(r, 'notify_stop'),
      generic: command(r, 'notify'),
    },
    smtpAlert: r.flag('smtp_alert')?.value ?? g.smtpAlert,
    garpMasterDelay: r.integer('garp_master_delay', 0, 3600)?.value ?? VRRP_DEFAULTS.garpMasterDelay,
    garpMasterRepeat: r.integer('garp_master_repeat', 1, 255)?.value ?? VRRP_DEFAULTS.garpMasterRepeat,
    garpMasterRefresh: r.integer('garp_master_refresh', 0, 86400)?.value ?? VRRP_DEFAULTS.garpMasterRefresh,
    lvsSyncDaemonInterface: r.text('lvs_sync_daemon_interface')?.value,
    ...splitBrain(r, g),
    source: { file: '', line: header.line },
  };
  return { instance, trackScripts: readTracks(r, 'track_script'), vridEntry: vrid?.entry, ownerByDefault: !r.has('priority') && effectivePriority === 255 };
}

function readScript(name: string, r: SectionReader, header: ScannedSection): VrrpScript {
  const script = command(r, 'script');
  if (!r.has('script')) {
    r.reportAtHeader('E-MISSING-DIRECTIVE', `${r.label} needs script = /path/to/check [args]`);
  }
  const interval = r.number('interval', 0.01, 86400)?.value ?? VRRP_DEFAULTS.scriptInterval;
  return {
    name,
    script: script ?? { raw: '', argv: [] },
    interval,
    // keepalived: a script without timeout gets its interval as timeout.
    timeout: r.number('timeout', 0.01, 86400)?.value ?? interval,
    weight: r.integer('weight', WEIGHT_RANGE[0], WEIGHT_RANGE[1])?.value ?? VRRP_DEFAULTS.scriptWeight,
    rise: r.integer('rise', 1, 1000)?.value ?? VRRP_DEFAULTS.scriptRise,
    fall: r.integer('fall', 1, 1000)?.value ?? VRRP_DEFAULTS.scriptFall,
    source: { file: '', line: header.line },
  };
}

interface GroupDraft {
  readonly group: VrrpSyncGroup;
  readonly members: readonly Located<string>[];
}

function readSyncGroup(name: string, r: SectionReader, header: ScannedSection): GroupDraft {
  const members = r.texts('group').flatMap((t) => t.value.split(/[\s,]+/).filter((w) => w !== '').map((value) => ({ value, entry: t.entry })));
  if (!r.has('group')) {
    r.reportAtHeader('E-MISSING-DIRECTIVE', `${r.label} needs group[] = INSTANCE lines, one per vrrp_instance`);
  }
  return { group: { name, instances: members.map((m) => m.value), source: { file: '', line: header.line } }, members };
}

function withFile<T extends { readonly source: SourceRef }>(x: T, file: string): T {
  return { ...x, source: { ...x.source, file } };
}

export function parseVrrpConfig(text: string, file: string, options: VrrpParseOptions = {}): VrrpParseResult {
  const sink = new DiagnosticSink(file);
  // A byte-order mark (Windows editors) would make ini read "[global]" as a key.
  const scan = scanIni(text.startsWith('\uFEFF') ? text.slice(1) : text);
  reportScanNotes(scan, sink);
  const sections = collectSections(scan, sink);
  const reader = (s: NamedSection): SectionReader =>
    new SectionReader(sink, s.kind, s.kind === 'global' ? '[global]' : `[${s.kind} ${s.name}]`, s.header, dropStructuralNoise(s.entries));

  const globalSection = sections.find((s) => s.kind === 'global');
  const globalReader = globalSection ? reader(globalSection) : undefined;
  const global = readGlobal(globalReader, sink, options.hostname ?? osHostname());
  const globalWithSource: VrrpGlobal = { ...global, source: globalSection ? { file, line: globalSection.header.line } : undefined };

  const drafts = sections.filter((s) => s.kind === 'vrrp_instance').map((s) => readInstance(s.name, reader(s), s.header, global));
  const scripts = sections.filter((s) => s.kind === 'vrrp_script').map((s) => readScript(s.name, reader(s), s.header));
  const groups = sections.filter((s) => s.kind === 'vrrp_sync_group').map((s) => readSyncGroup(s.name, reader(s), s.header));

  if (drafts.length === 0) sink.report('E-NO-INSTANCES', 'no [vrrp_instance NAME] section: haldir-vrrp has nothing to run', 0, 1);

  // Two virtual routers with one VRID on one LAN and family would answer each other's adverts.
  const seenVrid = new Map<string, string>();
  for (const d of drafts) {
    const i = d.instance;
    if (!d.vridEntry || i.interface === '') continue;
    const k = `${i.interface}/${i.family}/${i.vrid}`;
    const other = seenVrid.get(k);
    if (other !== undefined) {
      sink.report('E-DUPLICATE-VRID', `virtual_router_id ${i.vrid} is already used by ${other} on ${i.interface}; give each instance on an interface its own VRID`, d.vridEntry.line, d.vridEntry.valueColumn);
    } else seenVrid.set(k, i.name);
  }

  const scriptByName = new Map(scripts.map((s) => [s.name, s]));
  const tracked = new Set<string>();
  const instanceNames = new Set(drafts.map((d) => d.instance.name));
  const groupOf = new Map<string, string>();
  for (const g of groups) {
    for (const m of g.members) {
      if (!instanceNames.has(m.value)) {
        const guess = didYouMean(m.value, [...instanceNames]);
        sink.report('E-UNKNOWN-INSTANCE', `sync group ${g.group.name} names "${m.value}", which is no [vrrp_instance] section${guess ? `; did you mean "${guess}"?` : ''}`, m.entry.line, m.entry.valueColumn);
      } else if (groupOf.has(m.value)) {
        sink.report('E-INSTANCE-IN-TWO-GROUPS', `${m.value} is already in sync group ${groupOf.get(m.value)}; an instance belongs to at most one group`, m.entry.line, m.entry.valueColumn);
      } else groupOf.set(m.value, g.group.name);
    }
  }

  // keepalived 2.2.7 (checked with keepalived -d): a sync group starts MASTER only when every
  // member is an address owner (priority 255) starting MASTER; otherwise every member starts BACKUP.
  const groupState = (i: InstanceDraft['instance'], group: string | undefined): VrrpInstance['initialState'] => {
    if (group === undefined) return i.initialState;
    const members = drafts.filter((d) => groupOf.get(d.instance.name) === group);
    const spoiler = members.find((m) => m.instance.priority !== 255 || m.instance.initialState !== 'MASTER');
    if (!spoiler) return 'MASTER';
    if (i.initialState === 'MASTER') {
      const why = spoiler.instance.priority !== 255 ? `has priority ${spoiler.instance.priority}` : 'starts BACKUP';
      sink.report('W-SYNC-GROUP-STATE', `${i.name} starts as BACKUP, not MASTER: a sync group (${group}) starts MASTER only when all its members are MASTER with priority 255, and ${spoiler.instance.name} ${why} (as keepalived does); the election makes the best node MASTER within 3 adverts`, i.source.line, 1);
    }
    return 'BACKUP';
  };
  const r255 = (d: InstanceDraft): string => (d.ownerByDefault ? '; state MASTER without a priority means 255' : '');
  const instances: VrrpInstance[] = drafts.map((d) => {
    const group = groupOf.get(d.instance.name);
    // keepalived 2.2.7: "ignoring eth1 tracked interface weight due to SYNC group": a member of a
    // sync group fails over as a whole, so a tracked interface going down means FAULT.
    const inGroup = (name: string, weight: number, line: number): number => {
      if (group === undefined || weight === 0) return weight;
      sink.report('W-SYNC-GROUP-WEIGHT', `track_interface ${name} weight ${weight} is ignored because ${d.instance.name} is in sync group ${group}; the interface going down faults the group (as keepalived does)`, line, 1);
      return 0;
    };
    const trackScripts: TrackRef[] = d.trackScripts.flatMap((t) => {
      const s = scriptByName.get(t.name);
      tracked.add(t.name);
      if (!s) {
        const guess = didYouMean(t.name, [...scriptByName.keys()]);
        sink.report('E-UNDEFINED-SCRIPT', `track_script "${t.name}" has no [vrrp_script ${t.name}] section${guess ? `; did you mean "${guess}"?` : ''}`, t.entry.line, t.entry.valueColumn);
        return [];
      }
      const weight = t.weight ?? s.weight;
      if (d.instance.priority === 255 && weight !== 0) {
        // keepalived 2.2.7: "ignoring tracked script X with weights due to address_owner":
        // an owner's priority cannot change, so a weighted script would do nothing.
        sink.report('W-OWNER-WEIGHT', `track_script ${t.name} (weight ${weight}) is ignored because ${d.instance.name} has priority 255 (address owner${r255(d)}), whose priority cannot change (as keepalived does); use weight 0 to fault it instead, or a priority below 255`, t.entry.line, t.entry.valueColumn);
        return [];
      }
      if (group !== undefined && weight !== 0) {
        // keepalived 2.2.7 (vrrp_sync.c) drops a weighted track_script of a sync group member
        // altogether: "ignoring tracked script X with weights due to SYNC group".
        sink.report('W-SYNC-GROUP-WEIGHT', `track_script ${t.name} (weight ${weight}) is ignored because ${d.instance.name} is in sync group ${group} (as keepalived does); give it weight 0 (track_script[] = ${t.name} weight 0) so a failure faults the group`, t.entry.line, t.entry.valueColumn);
        return [];
      }
      return [{ name: t.name, weight, source: { file, line: t.entry.line } }];
    });
    // keepalived applies the sync group rule (weight -> 0) before the address owner rule.
    const trackInterfaces = d.instance.trackInterfaces.flatMap((t0) => {
      const t = { ...t0, weight: inGroup(t0.name, t0.weight, t0.source.line) };
      if (d.instance.priority === 255 && t.weight !== 0) {
        // keepalived 2.2.7: "ignoring eth1 tracked interface due to address owner"
        sink.report('W-OWNER-WEIGHT', `track_interface ${t.name} (weight ${t.weight}) is ignored because ${d.instance.name} has priority 255 (address owner${r255(d)}), whose priority cannot change (as keepalived does)`, t.source.line, 1);
        return [];
      }
      return [t];
    });
    return withFile({ ...d.instance, trackScripts, trackInterfaces, syncGroup: group, initialState: groupState(d.instance, group) }, file);
  });
  for (const s of scripts) {
    if (!tracked.has(s.name)) sink.report('W-UNUSED-SCRIPT', `[vrrp_script ${s.name}] is tracked by no instance (add track_script[] = ${s.name})`, s.source.line, 1);
  }

  const diagnostics: Diagnostic[] = sortDiagnostics(sink.items);
  if (sink.hasErrors) return { config: undefined, diagnostics };
  const config: VrrpConfig = {
    file,
    global: globalWithSource,
    instances,
    scripts: scripts.map((s) => withFile(s, file)),
    syncGroups: groups.map((g) => withFile(g.group, file)),
  };
  return { config, diagnostics };
}

/** Directive names per section, for docs and tooling. */
export function knownDirectives(kind: SectionKind): readonly string[] {
  return Object.keys(DIRECTIVES[kind]);
}

export { familyOf };
