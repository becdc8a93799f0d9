// The typed model of a vrrp.cf (haldir-vrrp's config), as the VRRP daemon consumes it.
// Values are the *effective* ones: keepalived's defaults (keepalived 2.2.7,
// vrrp_parser.c / vrrp.c vrrp_complete_instance) and haldir's [global] -> instance
// inheritance are already applied, so consumers never re-derive them.
// Durations are in seconds (numbers; fractional where keepalived allows it).

import type { AddressFamily, Diagnostic, SmtpServer, SmtpTls, SourceRef } from '../config/model.js';

export type { AddressFamily, Diagnostic, Severity, SmtpServer, SmtpTls, SourceRef } from '../config/model.js';

/**
 * Initial state (keepalived `state`; effective: MASTER for priority 255 without a state, BACKUP
 * for sync group members unless every member is MASTER with priority 255); the protocol decides afterwards.
 */
export type VrrpInitialState = 'MASTER' | 'BACKUP';
/** RFC 3768 (2) or RFC 5798/9568 (3). */
export type VrrpVersion = 2 | 3;

/** A command line as written and as the argv haldir runs without a shell. */
export interface CommandLine {
  /** The value as written (after ini unquoting), for logs and e-mails. */
  readonly raw: string;
  /** Split like keepalived splits notify/script lines: whitespace, '' and "" quotes, \ escapes. */
  readonly argv: readonly string[];
}

/** `virtual_ipaddress` / `virtual_ipaddress_excluded` entry: addr[/prefix] [dev X] [label X] [scope S] [brd B]. */
export interface VirtualIp {
  /** Numeric address; IPv6 without brackets in RFC 5952 form (fd00::1). */
  readonly address: string;
  /** keepalived's default is a host route: 32 (IPv4) / 128 (IPv6). */
  readonly prefix: number;
  readonly family: AddressFamily;
  /** Interface to add it on; undefined = the instance's interface. */
  readonly dev: string | undefined;
  readonly label: string | undefined;
  /** `ip addr` scope name or number (global, link, host, site, 0-255). */
  readonly scope: string | undefined;
  readonly broadcast: string | undefined;
  /** The entry as written, for `ip addr` messages. */
  readonly raw: string;
  readonly source: SourceRef;
}

/** authentication { auth_type PASS; auth_pass X } (VRRPv2 only, RFC 3768 section 5.3.6). */
export interface VrrpAuth {
  readonly type: 'PASS';
  /** What goes on the wire: the first 8 characters of auth_pass (keepalived truncates). */
  readonly pass: string;
}

/** A track_script / track_interface entry with its effective weight. */
export interface TrackRef {
  readonly name: string;
  /**
   * track_script: the entry's own `weight N`, else the vrrp_script's weight.
   * track_interface: the entry's `weight N`, else 0 (0 = the instance goes to FAULT
   * when the interface is down, as keepalived does).
   */
  readonly weight: number;
  readonly source: SourceRef;
}

export interface NotifyCommands {
  readonly master: CommandLine | undefined;
  readonly backup: CommandLine | undefined;
  readonly fault: CommandLine | undefined;
  readonly stop: CommandLine | undefined;
  /**
   * keepalived `notify`: called as `CMD INSTANCE NAME STATE PRIORITY` on every change of an
   * instance, `CMD GROUP NAME STATE 0` on every change of a sync group.
   */
  readonly generic: CommandLine | undefined;
}

/** Address (and port) of the other director's haldir-vrrp status listener. */
export interface HostPort {
  /** Numeric address or host name; IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
}

/**
 * What haldir-vrrp does when it detects split brain (both nodes MASTER):
 * alert = mail and log only; yield = the lower-priority node steps down and the
 * winner re-sends gratuitous ARP; script = run the command (plus alert).
 */
export type SplitBrainAction =
  | { readonly kind: 'alert' }
  | { readonly kind: 'yield' }
  | { readonly kind: 'script'; readonly command: CommandLine };
export type SplitBrainActionKind = SplitBrainAction['kind'];

/** The split-brain probes (docs/splitbrain.md); `split_brain_probes` picks which run. */
export const SPLIT_BRAIN_PROBES = ['arp', 'advert', 'ping', 'status'] as const;
export type SplitBrainProbe = (typeof SPLIT_BRAIN_PROBES)[number];

/** haldir extension: split-brain detection settings (global defaults, per-instance overrides). */
export interface SplitBrainSettings {
  /** The peer director's status endpoint; undefined = no split-brain probing. */
  readonly peer: HostPort | undefined;
  /** Where this node serves its VRRP status for the peer; undefined = not served. */
  readonly statusListen: HostPort | undefined;
  readonly splitBrainAction: SplitBrainAction;
  /** Run on detection and recovery: `CMD INSTANCE DETECTED|RESOLVED`. */
  readonly notifySplitBrain: CommandLine | undefined;
  /** Which probes run (default all; ping and status also need `peer`). */
  readonly splitBrainProbes: readonly SplitBrainProbe[];
}

export interface VrrpGlobal extends SplitBrainSettings {
  /** keepalived router_id (default: the host name); the e-mail subject's `[router_id]`. */
  readonly routerId: string;
  readonly emailalert: readonly string[];
  readonly emailalertfrom: string | undefined;
  readonly smtp: SmtpServer | undefined;
  /** Seconds (keepalived smtp_connect_timeout, default 30). */
  readonly smtpConnectTimeout: number;
  // haldir extensions, the same as ldirectord.cf's in haldir
  readonly smtpuser: string | undefined;
  readonly smtppasswd: string | undefined;
  readonly smtptls: SmtpTls;
  /**
   * haldir extension: HMAC-SHA256 key of the split-brain status channel, the same in
   * both nodes' vrrp.cf; undefined = the peer's status is never evidence.
   */
  readonly statusSecret: string | undefined;
  /** keepalived vrrp_mcast_group4 (default 224.0.0.18). */
  readonly mcastGroup4: string;
  /** keepalived vrrp_mcast_group6 (default ff02::12). */
  readonly mcastGroup6: string;
  /** keepalived vrrp_version (default 2): the version of instances that set none. */
  readonly version: VrrpVersion;
  /** keepalived global smtp_alert: the default of instances that set none (default no). */
  readonly smtpAlert: boolean;
  readonly source: SourceRef | undefined;
}

export interface VrrpInstance extends SplitBrainSettings {
  readonly name: string;
  readonly initialState: VrrpInitialState;
  readonly interface: string;
  /** 1..255 */
  readonly vrid: number;
  /** 1..255; default 100, but 255 for state MASTER without a priority (keepalived 2.2.7); 255 = address owner. */
  readonly priority: number;
  /** Seconds; whole seconds for v2 (1..255), centisecond steps for v3 (0.01..40.95). Default 1. */
  readonly advertInt: number;
  readonly version: VrrpVersion;
  /** Address family of the VIPs (and so of the adverts). */
  readonly family: AddressFamily;
  /** Effective: keepalived clears it for state MASTER or priority 255. */
  readonly nopreempt: boolean;
  /** Seconds (0..1000), default 0; 0 when nopreempt (keepalived resets it). */
  readonly preemptDelay: number;
  /** undefined = no authentication (always for v3). */
  readonly auth: VrrpAuth | undefined;
  readonly vips: readonly VirtualIp[];
  /** Added with the VIPs but not carried in adverts (virtual_ipaddress_excluded). */
  readonly excludedVips: readonly VirtualIp[];
  readonly unicastSrcIp: string | undefined;
  /** Empty = multicast (mcastGroup4 / mcastGroup6). */
  readonly unicastPeers: readonly string[];
  readonly trackScripts: readonly TrackRef[];
  readonly trackInterfaces: readonly TrackRef[];
  readonly notify: NotifyCommands;
  /** Mail emailalert on every state change (instance smtp_alert, else the global one). */
  readonly smtpAlert: boolean;
  /** Seconds after becoming master before the second burst of gratuitous ARPs (default 5). */
  readonly garpMasterDelay: number;
  /** Gratuitous ARPs per burst (default 5). */
  readonly garpMasterRepeat: number;
  /** Seconds between periodic gratuitous ARPs while master; 0 = off (default). */
  readonly garpMasterRefresh: number;
  readonly lvsSyncDaemonInterface: string | undefined;
  /** Sync group this instance belongs to, if any. */
  readonly syncGroup: string | undefined;
  readonly source: SourceRef;
}

export interface VrrpScript {
  readonly name: string;
  readonly script: CommandLine;
  /** Seconds between runs (default 1). */
  readonly interval: number;
  /** Seconds before a run counts as failed and is killed (default: interval). */
  readonly timeout: number;
  /** -253..253 (default 0: a failing script puts tracking instances in FAULT). */
  readonly weight: number;
  /** Successes needed to count as up (default 1). */
  readonly rise: number;
  /** Failures needed to count as down (default 1). */
  readonly fall: number;
  readonly source: SourceRef;
}

export interface VrrpSyncGroup {
  readonly name: string;
  /** Instance names, in file order; every one is defined in `instances`. */
  readonly instances: readonly string[];
  /**
   * Run when the group as a whole changes state (keepalived vrrp_sync.c / vrrp_notify.c
   * send_group_notifies): MASTER once every member is master, BACKUP, FAULT as soon as
   * one member faults, STOP at shutdown; STATE in the generic one, priority always 0.
   */
  readonly notify: NotifyCommands;
  readonly source: SourceRef;
}

export interface VrrpConfig {
  readonly file: string;
  readonly global: VrrpGlobal;
  readonly instances: readonly VrrpInstance[];
  readonly scripts: readonly VrrpScript[];
  readonly syncGroups: readonly VrrpSyncGroup[];
}

export interface VrrpParseResult {
  /** Present when there are no errors (warnings allowed). */
  readonly config: VrrpConfig | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** keepalived's defaults, named once (vrrp_parser.c / global_data.c, 2.2.7). */
export const VRRP_DEFAULTS = {
  priority: 100,
  advertInt: 1,
  version: 2,
  preemptDelay: 0,
  garpMasterDelay: 5,
  garpMasterRepeat: 5,
  garpMasterRefresh: 0,
  mcastGroup4: '224.0.0.18',
  mcastGroup6: 'ff02::12',
  smtpConnectTimeout: 30,
  smtpPort: 25,
  scriptInterval: 1,
  scriptRise: 1,
  scriptFall: 1,
  scriptWeight: 0,
  /** haldir's default port for status_listen / peer when none is given. */
  statusPort: 7474,
  /** status_secret: at least this many characters (128 bits as 32 hex digits is better). */
  statusSecretMinLength: 16,
} as const;
