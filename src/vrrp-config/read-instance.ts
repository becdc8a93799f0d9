// [vrrp_instance NAME] -> an instance draft (track_script references and sync-group effects
// are resolved later, in resolve.ts). Defaults and fix-ups follow keepalived 2.2.7's
// vrrp_parser.c / vrrp_complete_instance(), checked against its -d dump.

import type { AddressFamily } from '../config/model.js';
import type { ScannedEntry, ScannedSection } from './ini-scan.js';
import {
  VRRP_DEFAULTS,
  type TrackRef,
  type VirtualIp,
  type VrrpGlobal,
  type VrrpInstance,
  type VrrpVersion,
} from './model.js';
import { notifyCommands, splitBrain } from './read-global.js';
import { SectionReader } from './section-reader.js';
import { isValueError, parseAddress, parseTrackRef, parseVip } from './values.js';

/** keepalived: auth_pass is cut to 8 bytes (RFC 3768 5.3.6 has 8 octets of auth data). */
const AUTH_PASS_MAX = 8;
/** keepalived vrrp_script weight range (vrrp_parser.c vrrp_weight_handler). */
export const WEIGHT_RANGE = [-253, 253] as const;

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
export interface PendingTrack {
  readonly name: string;
  readonly weight: number | undefined;
  readonly entry: ScannedEntry;
}

export interface InstanceDraft {
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

export function readInstance(name: string, r: SectionReader, header: ScannedSection, g: VrrpGlobal): InstanceDraft {
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
    notify: notifyCommands(r),
    smtpAlert: r.flag('smtp_alert')?.value ?? g.smtpAlert,
    garpMasterDelay: r.integer('garp_master_delay', 0, 3600)?.value ?? VRRP_DEFAULTS.garpMasterDelay,
    garpMasterRepeat: r.integer('garp_master_repeat', 1, 255)?.value ?? VRRP_DEFAULTS.garpMasterRepeat,
    garpMasterRefresh: r.integer('garp_master_refresh', 0, 86400)?.value ?? VRRP_DEFAULTS.garpMasterRefresh,
    lvsSyncDaemonInterface: r.text('lvs_sync_daemon_interface')?.value,
    ...splitBrain(r, g, g.statusSecret !== undefined),
    source: { file: '', line: header.line },
  };
  return { instance, trackScripts: readTracks(r, 'track_script'), vridEntry: vrid?.entry, ownerByDefault: !r.has('priority') && effectivePriority === 255 };
}
