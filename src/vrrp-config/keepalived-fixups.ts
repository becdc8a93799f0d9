// keepalived 2.2.7's own corrections of a vrrp_instance, decided from its keepalived.conf
// statements so import-keepalived writes what keepalived runs rather than what the file
// says: the priority fallback (vrrp_parser.c vrrp_prio_handler), the start state
// (vrrp_state_handler and vrrp_complete_instance), and the consequences of strict mode
// (global `vrrp_strict` or the instance's `strict_mode`, vrrp.c vrrp_complete_instance).
// Pure: statements in, decisions out; the import turns them into lines and notes.

import type { KaStatement } from './keepalived-parse.js';

/** RFC 3768 5.3.4 / RFC 5798 5.2.4: 255 is the address owner; keepalived's default is 100. */
const OWNER = 255;
const DEFAULT_PRIORITY = 100;

export interface KaInstanceFacts {
  /** keepalived's base priority (written, else 100 if invalid, else 255 for state MASTER, else 100). */
  readonly priority: number;
  /** The written priority when keepalived rejects it ("Priority not valid! ... Using default 100"). */
  readonly invalidPriority: string | undefined;
  /** keepalived's initial state after its fix-ups. */
  readonly state: 'MASTER' | 'BACKUP';
  /** Why `state` differs from the written one; undefined when it does not. */
  readonly stateReason: string | undefined;
  readonly strict: boolean;
  /** nopreempt after keepalived's fix-ups (`preempt` clears it; MASTER or priority 255 ignores it). */
  readonly nopreempt: boolean;
  /** Why a written nopreempt is dropped; undefined when it is kept or absent. */
  readonly nopreemptReason: string | undefined;
  /** Why strict mode drops the authentication block; undefined when it does not. */
  readonly dropAuthReason: string | undefined;
  /** Why strict mode drops preempt_delay; undefined when it does not. */
  readonly dropPreemptDelayReason: string | undefined;
  /** VRRP version to write when strict mode changes it (IPv6 with version 2 runs 3). */
  readonly version: string | undefined;
  /** Reasons keepalived refuses to run this instance (and with it the whole VRRP configuration). */
  readonly rejected: readonly string[];
}

const arg = (s: KaStatement | undefined): string | undefined => s?.args[0]?.text;

/** keepalived's check_true_false: yes/on/true, no/off/false; a bare keyword means yes. */
function flagValue(s: KaStatement): boolean | undefined {
  const v = arg(s);
  if (v === undefined) return true;
  if (['true', 'on', 'yes'].includes(v)) return true;
  if (['false', 'off', 'no'].includes(v)) return false;
  return undefined;
}

/** global_defs `vrrp_strict` (keepalived's own sample configuration sets it). */
export function globalStrict(globals: readonly KaStatement[]): boolean {
  return globals.some((g) => (g.children ?? []).some((c) => c.keyword === 'vrrp_strict'));
}

/** keepalived read_unsigned_strvec(1..255): digits only, in range. */
function validPriority(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= OWNER ? n : undefined;
}

export function instanceFacts(kids: readonly KaStatement[], opts: { globalStrict: boolean; version: string; ipv6: boolean }): KaInstanceFacts {
  const last = (k: string) => kids.filter((c) => c.keyword === k).pop();
  const strictStmt = last('strict_mode');
  const strict = (strictStmt ? flagValue(strictStmt) : undefined) ?? opts.globalStrict;

  // vrrp_state_handler: MASTER wins over a later BACKUP; anything else is BACKUP.
  const stateWords = kids.filter((c) => c.keyword === 'state' && c.args.length > 0).map((c) => arg(c) ?? '');
  const written = stateWords.reduce<'MASTER' | 'BACKUP' | undefined>(
    (ws, w) => (w === 'MASTER' ? 'MASTER' : w === 'BACKUP' && ws === 'MASTER' ? 'MASTER' : 'BACKUP'), undefined);

  const prioText = arg(last('priority'));
  const parsedPrio = prioText === undefined ? undefined : validPriority(prioText);
  const invalidPriority = prioText !== undefined && parsedPrio === undefined ? prioText : undefined;
  const priority = parsedPrio ?? (invalidPriority !== undefined ? DEFAULT_PRIORITY : written === 'MASTER' ? OWNER : DEFAULT_PRIORITY);

  let state: 'MASTER' | 'BACKUP' = written ?? (priority === OWNER ? 'MASTER' : 'BACKUP');
  let stateReason: string | undefined;
  if (strict && written !== undefined && (written === 'MASTER') !== (priority === OWNER)) {
    // "(VI_1) State MASTER must match being address owner"
    state = priority === OWNER ? 'MASTER' : 'BACKUP';
    stateReason = `strict mode (vrrp_strict): keepalived runs a state ${written} instance with priority ${priority} as ${state} ("State MASTER must match being address owner"), and so does this conversion; write state ${state} (or drop vrrp_strict) so the file says what runs`;
  }

  const auth = kids.find((c) => c.keyword === 'authentication');
  const authType = arg((auth?.children ?? []).find((a) => a.keyword === 'auth_type'));
  const dropAuthReason = strict && auth && authType !== undefined
    ? 'strict mode (vrrp_strict): keepalived sends no authentication ("Strict mode does not support authentication. Ignoring."), and so does this conversion; a peer with auth_pass set would reject these adverts, so drop authentication on every node'
    : undefined;
  if (!strict && !stateReason && authType === 'AH' && state === 'MASTER' && priority !== OWNER && opts.version !== '3' && !opts.ipv6) {
    // "Initial state master is incompatible with AH authentication - clearing"
    state = 'BACKUP';
    stateReason = 'state MASTER with auth_type AH: keepalived starts this instance as BACKUP, and so does this conversion';
  }
  if (!stateReason && written !== undefined && stateWords.some((w) => w !== 'MASTER' && w !== 'BACKUP')) {
    const bad = stateWords.find((w) => w !== 'MASTER' && w !== 'BACKUP');
    if (written === 'BACKUP') stateReason = `state ${bad}: keepalived reads only MASTER or BACKUP (upper case) and runs this instance as BACKUP; converted as BACKUP`;
  }

  // vrrp_nopreempt_handler / vrrp_preempt_handler: the last one wins.
  const preemptWords = kids.filter((c) => c.keyword === 'nopreempt' || c.keyword === 'preempt').map((c) => c.keyword);
  const wantsNopreempt = preemptWords[preemptWords.length - 1] === 'nopreempt';
  let nopreemptReason: string | undefined;
  if (wantsNopreempt && priority === OWNER) {
    nopreemptReason = 'nopreempt with priority 255: keepalived ignores it ("nopreempt is incompatible with priority 255"), and so does this conversion';
  } else if (wantsNopreempt && state === 'MASTER') {
    nopreemptReason = 'nopreempt with state MASTER: keepalived ignores it (and so does this conversion); for nopreempt set state BACKUP on both nodes';
  }
  const nopreempt = wantsNopreempt && nopreemptReason === undefined;

  const delay = arg(last('preempt_delay'));
  const dropPreemptDelayReason = strict && delay !== undefined && Number(delay) > 0 && state !== 'MASTER'
    ? 'strict mode (vrrp_strict): keepalived ignores preempt_delay ("preempt_delay is incompatible with strict mode - resetting"), and so does this conversion'
    : undefined;

  const rejected: string[] = [];
  const hasVips = kids.some((c) => c.keyword === 'virtual_ipaddress' && ((c.children?.length ?? 0) > 0 || c.args.length > 0));
  const version = strict && opts.ipv6 && opts.version === '2' ? '3' : undefined;
  if (!hasVips && (strict || (version ?? opts.version) === '3' || opts.ipv6)) {
    rejected.push(`keepalived refuses to run with this instance ("No VIP specified; at least one is required" in ${strict ? 'strict mode' : 'VRRP version 3'}), so its whole VRRP configuration does not start; add a virtual_ipaddress block`);
  }
  // Unicast peers stay: keepalived 2.2.7 tests "Unicast peers are not supported in strict mode"
  // before it marks the instance unicast, so a strict instance runs them (checked with keepalived -d).
  return { priority, invalidPriority, state, stateReason, strict, nopreempt, nopreemptReason, dropAuthReason, dropPreemptDelayReason, version, rejected };
}

/**
 * What strict mode changes that vrrp.cf cannot express: keepalived (vrrp.c) then defaults to
 * no_accept (a non-owner master drops packets addressed to its VIPs, through nftables) and
 * lower_prio_no_advert (a master ignores a lower-priority advert); haldir-vrrp always accepts
 * and answers a lower-priority master at once.
 */
export const STRICT_UNCONVERTED =
  'vrrp_strict: converted where vrrp.cf has an equivalent (state, authentication, preempt_delay, version; see the instances); not converted: keepalived\'s strict no_accept (a non-owner master drops traffic to its VIPs through nftables; haldir-vrrp\'s master accepts it) and lower_prio_no_advert (haldir-vrrp answers a lower-priority master\'s advert at once, as keepalived does without vrrp_strict)';
