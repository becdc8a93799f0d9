// [global] -> VrrpGlobal, and the split-brain settings instances inherit from it.

import type { AddressFamily } from '../config/model.js';
import {
  SPLIT_BRAIN_PROBES,
  VRRP_DEFAULTS,
  type CommandLine,
  type NotifyCommands,
  type SplitBrainProbe,
  type SplitBrainAction,
  type SplitBrainSettings,
  type VrrpGlobal,
  type VrrpVersion,
} from './model.js';
import { SectionReader } from './section-reader.js';
import {
  isValueError,
  parseAddress,
  parseEmail,
  parseEmailList,
  parseHostPort,
  splitCommand,
  type Parsed,
} from './values.js';

export function command(r: SectionReader, key: string): CommandLine | undefined {
  return r.parsed(key, splitCommand)?.value;
}

/** notify_master / notify_backup / notify_fault / notify_stop / notify of an instance or a sync group. */
export function notifyCommands(r: SectionReader): NotifyCommands {
  return {
    master: command(r, 'notify_master'),
    backup: command(r, 'notify_backup'),
    fault: command(r, 'notify_fault'),
    stop: command(r, 'notify_stop'),
    generic: command(r, 'notify'),
  };
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

/** `arp, advert, ping, status` (any subset, comma or space separated) or `none`. */
function parseSplitBrainProbes(v: string): Parsed<readonly SplitBrainProbe[]> {
  const words = v.split(/[\s,]+/).filter((w) => w !== '');
  if (words.length === 1 && words[0] === 'none') return { ok: [] };
  const out: SplitBrainProbe[] = [];
  for (const w of words) {
    if (!(SPLIT_BRAIN_PROBES as readonly string[]).includes(w)) {
      return { error: 'E-BAD-ENUM', message: `unknown split-brain probe "${w}": use any of ${SPLIT_BRAIN_PROBES.join(', ')} (comma separated) or none` };
    }
    if (!out.includes(w as SplitBrainProbe)) out.push(w as SplitBrainProbe);
  }
  if (out.length === 0) return { error: 'E-BAD-ENUM', message: `split_brain_probes is empty: list ${SPLIT_BRAIN_PROBES.join(', ')} or write none` };
  return { ok: out };
}

/** 0.0.0.0, ::, and their longer spellings: every address of the host. */
const WILDCARD_RE = /^(0+\.0+\.0+\.0+|(0*:){2,7}0*)$/;

/**
 * `secret`: whether [global] sets status_secret. Without it the peer's status is never
 * evidence (status-document.ts), so a status channel set up without one is a warning.
 */
export function splitBrain(r: SectionReader, inherited: SplitBrainSettings, secret: boolean): SplitBrainSettings {
  const port = VRRP_DEFAULTS.statusPort;
  const peer = r.parsed('peer', (v) => parseHostPort(v, port));
  const listen = r.parsed('status_listen', (v) => parseHostPort(v, port));
  if (listen && WILDCARD_RE.test(listen.value.host)) {
    r.report(
      'W-STATUS-LISTEN-WILDCARD',
      `status_listen = ${listen.entry.value} serves the status on every address of this host, the VIPs included; name the address the peer reaches (a dedicated link is best)`,
      listen.entry,
    );
  }
  const first = peer ?? listen;
  if (first && !secret) {
    r.report(
      'W-STATUS-NO-SECRET',
      'the split-brain status channel has no status_secret: the peer\'s answers cannot be authenticated and are never used as evidence; set the same status_secret = (16+ random characters) in [global] on both nodes',
      first.entry,
      'key',
    );
  }
  return {
    peer: peer?.value ?? inherited.peer,
    statusListen: listen?.value ?? inherited.statusListen,
    splitBrainAction: r.parsed('split_brain_action', parseSplitBrainAction)?.value ?? inherited.splitBrainAction,
    notifySplitBrain: command(r, 'notify_split_brain') ?? inherited.notifySplitBrain,
    splitBrainProbes: r.parsed('split_brain_probes', parseSplitBrainProbes)?.value ?? inherited.splitBrainProbes,
  };
}

/** status_secret: the HMAC key of the status channel; long enough not to be guessed. */
function statusSecret(r: SectionReader): string | undefined {
  const e = r.entry('status_secret');
  if (!e) return undefined;
  if (e.value.length < VRRP_DEFAULTS.statusSecretMinLength) {
    // The value itself is never echoed: diagnostics end up in logs.
    r.report('E-STATUS-SECRET', `status_secret is ${e.value.length} characters; use at least ${VRRP_DEFAULTS.statusSecretMinLength} random ones (e.g. openssl rand -hex 16), the same on both nodes`, e);
    return undefined;
  }
  return e.value;
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

export function readGlobal(r: SectionReader | undefined, hostname: string): VrrpGlobal {
  const noSplitBrain: SplitBrainSettings = { peer: undefined, statusListen: undefined, splitBrainAction: { kind: 'alert' }, notifySplitBrain: undefined, splitBrainProbes: SPLIT_BRAIN_PROBES };
  if (!r) {
    return {
      routerId: hostname, emailalert: [], emailalertfrom: undefined, smtp: undefined,
      smtpConnectTimeout: VRRP_DEFAULTS.smtpConnectTimeout, smtpuser: undefined, smtppasswd: undefined, smtptls: 'none',
      mcastGroup4: VRRP_DEFAULTS.mcastGroup4, mcastGroup6: VRRP_DEFAULTS.mcastGroup6, version: VRRP_DEFAULTS.version,
      smtpAlert: false, source: undefined, statusSecret: undefined, ...noSplitBrain,
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
    statusSecret: statusSecret(r),
    ...splitBrain(r, noSplitBrain, r.has('status_secret')),
  };
}
