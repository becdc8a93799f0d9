// vrrp.cf model (src/vrrp-config/model.ts) -> what the daemon runs: InstanceParams for
// the pure machine plus the per-instance side-effect settings. The primary address is
// unicast_src_ip, else the interface's first IPv4 address (IPv6: its link-local
// address, as keepalived sends v3/IPv6 adverts from fe80::/10).

import { networkInterfaces } from 'node:os';
import type { NotifyCommands, VrrpConfig, VrrpInstance, VirtualIp } from '../vrrp-config/model.js';
import { canonicalAddress } from './codec.js';
import type { InstanceParams, VipSpec } from './instance.js';
import type { NotifyScripts } from './notify.js';
import type { TrackScriptSpec } from './track.js';
import type { SyncGroup } from './sync-group.js';

export interface InstanceRuntimeConfig {
  params: InstanceParams;
  notify: NotifyScripts;
  smtpAlert: boolean;
  lvsSyncInterface?: string;
  mcastGroup: string;
}

export interface DaemonConfig {
  instances: InstanceRuntimeConfig[];
  scripts: TrackScriptSpec[];
  syncGroups: SyncGroup[];
  routerId: string;
  emails: string[];
}

export class VrrpConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export type AddressLookup = (ifname: string, family: 4 | 6) => string[];

export const osAddressLookup: AddressLookup = (ifname, family) =>
  (networkInterfaces()[ifname] ?? []).filter((a) => a.family === (family === 4 ? 'IPv4' : 'IPv6')).map((a) => a.address);

function notifyScripts(n: NotifyCommands): NotifyScripts {
  return { master: n.master?.argv, backup: n.backup?.argv, fault: n.fault?.argv, stop: n.stop?.argv, generic: n.generic?.argv };
}

function vipSpec(v: VirtualIp): VipSpec {
  return { address: `${v.address}/${v.prefix}`, dev: v.dev, label: v.label, scope: v.scope };
}

const famNum = (f: 'inet' | 'inet6'): 4 | 6 => (f === 'inet' ? 4 : 6);

export function primaryAddress(inst: VrrpInstance, lookup: AddressLookup): string {
  const family = famNum(inst.family);
  if (inst.unicastSrcIp) return canonicalAddress(inst.unicastSrcIp);
  const vips = new Set([...inst.vips, ...inst.excludedVips].map((v) => canonicalAddress(v.address)));
  const addrs = lookup(inst.interface, family).map((a) => canonicalAddress(a.split('%')[0]!)).filter((a) => !vips.has(a));
  const pick = family === 4 ? addrs[0] : addrs.find((a) => a.startsWith('fe80:')) ?? addrs[0];
  if (!pick) {
    throw new VrrpConfigError(
      'VRRP-NO-PRIMARY',
      `(${inst.name}) interface ${inst.interface} has no IPv${family} address to send adverts from: add one or set unicast_src_ip`,
    );
  }
  return pick;
}

export function daemonConfigFrom(cfg: VrrpConfig, lookup: AddressLookup = osAddressLookup): DaemonConfig {
  const instances = cfg.instances.map((i): InstanceRuntimeConfig => {
    const params: InstanceParams = {
      name: i.name,
      vrid: i.vrid,
      version: i.version,
      family: famNum(i.family),
      interface: i.interface,
      intervalCs: Math.round(i.advertInt * 100),
      priority: i.priority,
      initialState: i.initialState,
      preempt: !i.nopreempt,
      preemptDelayMs: i.preemptDelay * 1000,
      authPass: i.auth?.pass,
      vips: i.vips.map(vipSpec),
      excludedVips: i.excludedVips.map(vipSpec),
      primaryIp: primaryAddress(i, lookup),
      unicastPeers: i.unicastPeers.map(canonicalAddress),
      trackScripts: i.trackScripts.map((t) => ({ name: t.name, weight: t.weight })),
      // keepalived tracks an instance's own interface implicitly (weight 0: down = FAULT).
      trackInterfaces: [
        ...i.trackInterfaces.map((t) => ({ name: t.name, weight: t.weight })),
        ...(i.trackInterfaces.some((t) => t.name === i.interface) ? [] : [{ name: i.interface, weight: 0 }]),
      ],
      garpMasterDelayMs: i.garpMasterDelay * 1000,
      garpMasterRepeat: i.garpMasterRepeat,
      garpMasterRefreshMs: i.garpMasterRefresh * 1000,
      garpMasterRefreshRepeat: 1,
      routerId: cfg.global.routerId,
      syncGroup: i.syncGroup,
    };
    return {
      params,
      notify: notifyScripts(i.notify),
      smtpAlert: i.smtpAlert,
      lvsSyncInterface: i.lvsSyncDaemonInterface,
      mcastGroup: i.family === 'inet' ? cfg.global.mcastGroup4 : cfg.global.mcastGroup6,
    };
  });
  return {
    instances,
    scripts: cfg.scripts.map((s) => ({
      name: s.name,
      argv: s.script.argv,
      intervalMs: s.interval * 1000,
      timeoutMs: s.timeout * 1000,
      rise: s.rise,
      fall: s.fall,
    })),
    syncGroups: cfg.syncGroups.map((g) => ({ name: g.name, instances: [...g.instances], notify: notifyScripts(g.notify) })),
    routerId: cfg.global.routerId,
    emails: [...cfg.global.emailalert],
  };
}
