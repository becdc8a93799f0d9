// The runtime shape of one vrrp_instance, as the pure machine needs it. The daemon
// builds it from the vrrp.cf model (src/vrrp/from-config.ts); tests build it by hand.

import type { AddressFamily, VrrpVersion } from './codec.js';

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';

export interface VipSpec {
  /** Address with prefix, e.g. "192.0.2.10/24" or "2001:db8::10/64". */
  address: string;
  dev?: string;
  label?: string;
  scope?: string;
}

export interface TrackedItem {
  name: string;
  /** 0: a failure puts the instance in FAULT; otherwise -253..253 (keepalived). */
  weight: number;
}

export interface InstanceParams {
  name: string;
  vrid: number;
  version: VrrpVersion;
  family: AddressFamily;
  interface: string;
  /** Configured advert_int in centiseconds (v2: a multiple of 100). */
  intervalCs: number;
  /** Configured priority 1..255; 255 = address owner. */
  priority: number;
  initialState: 'MASTER' | 'BACKUP';
  /** keepalived's nopreempt inverted; nopreempt needs initialState BACKUP. */
  preempt: boolean;
  preemptDelayMs: number;
  /** v2 PASS authentication, first 8 characters used. */
  authPass?: string;
  /** Addresses carried in adverts and added on the interface when MASTER. */
  vips: VipSpec[];
  /** Added when MASTER but not carried in adverts. */
  excludedVips: VipSpec[];
  /** Our primary address on the interface (source of adverts, tie-breaker). */
  primaryIp: string;
  /** Unicast peers; empty = multicast. */
  unicastPeers: string[];
  trackScripts: TrackedItem[];
  trackInterfaces: TrackedItem[];
  garpMasterDelayMs: number;
  garpMasterRepeat: number;
  /** 0 = no periodic refresh. */
  garpMasterRefreshMs: number;
  garpMasterRefreshRepeat: number;
  /** keepalived's router_id, used in mail subjects. */
  routerId: string;
  /** The vrrp_sync_group this instance belongs to: it only becomes MASTER with the group. */
  syncGroup?: string;
}

export const PRIORITY_OWNER = 255;
export const PRIORITY_STOP = 0;

/** Defaults keepalived 2.2.7 applies (vrrp_parser.c / global_data.c). */
export function defaultInstanceParams(p: Partial<InstanceParams> & Pick<InstanceParams, 'name' | 'vrid' | 'interface' | 'primaryIp'>): InstanceParams {
  return {
    version: 2,
    family: 4,
    intervalCs: 100,
    priority: 100,
    initialState: 'BACKUP',
    preempt: true,
    preemptDelayMs: 0,
    vips: [],
    excludedVips: [],
    unicastPeers: [],
    trackScripts: [],
    trackInterfaces: [],
    garpMasterDelayMs: 5000,
    garpMasterRepeat: 5,
    garpMasterRefreshMs: 0,
    garpMasterRefreshRepeat: 1,
    routerId: 'haldir',
    ...p,
  };
}

/** The address part of a VIP spec ("192.0.2.10/24" -> "192.0.2.10"). */
export function vipAddress(v: VipSpec): string {
  return v.address.split('/')[0]!;
}
