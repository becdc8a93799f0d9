// The read-only status document one haldir-vrrp serves to its peer (status_listen) and
// reads from it (peer): enough to tell "both MASTER for one VRID" and, for
// split_brain_action = yield, which of the two would lose the election.
//
// Whoever can reach the port can answer it, so nothing in it is believed unless it is
// authenticated (docs/splitbrain.md, threat model): the client asks with a fresh random
// nonce and the name of its instance; the server echoes both with its wall-clock time
// and signs the exact body bytes with HMAC-SHA256 under status_secret (shared by both
// vrrp.cf files). The nonce stops replays, the time bounds what a delayed answer may
// claim, the instance name keeps an answer for one instance from being used for
// another. Everything is schema-checked before use; peer-supplied text that reaches a
// log line or a mail goes through escapePeerText().

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { PeerReport } from './detector.js';

export type SplitBrainPhase = 'none' | 'detected' | 'yielded';
const PHASES: readonly SplitBrainPhase[] = ['none', 'detected', 'yielded'];
const STATES = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP'] as const;

export interface StatusInstance {
  readonly name: string;
  readonly vrid: number;
  readonly family: 4 | 6;
  readonly state: string;
  readonly priority: number;
  readonly effectivePriority: number;
  /** Primary address (advert source). */
  readonly address: string;
  readonly splitBrain: SplitBrainPhase;
}

export interface StatusDocument {
  readonly program: 'haldir-vrrp';
  readonly routerId: string;
  /** The instance asked for (the `instance` query parameter), echoed. */
  readonly instance?: string;
  /** The client's nonce, echoed (replay protection). */
  readonly nonce?: string;
  /** The server's wall clock (ms since the epoch) when it answered. */
  readonly time?: number;
  readonly instances: readonly StatusInstance[];
}

/** Path of the document on the status listener. */
export const STATUS_PATH = '/vrrp/status';
/** Response header carrying `v1=<hex HMAC-SHA256 of the body>`. */
export const SIGNATURE_HEADER = 'x-haldir-signature';
/**
 * Largest body the client accepts. A one-instance document is about 300 bytes; the cap
 * keeps a hostile answer from costing memory or CPU (no decompression either).
 */
export const MAX_STATUS_BYTES = 4096;
/** How far the peer's clock may be from ours before its answer is refused. */
export const MAX_CLOCK_SKEW_MS = 30_000;

const NAME_RE = /^[\x21-\x7e]{1,64}$/;
const NONCE_RE = /^[0-9a-f]{32}$/;

/** A fresh 128-bit nonce for one request. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function isValidInstanceName(s: string): boolean {
  return NAME_RE.test(s);
}

export function isValidNonce(s: string): boolean {
  return NONCE_RE.test(s);
}

/**
 * Peer-supplied text made safe for one log line or mail line: control characters,
 * backslash, quotes and non-ASCII become \xHH / \u{...}; at most `max` characters.
 */
export function escapePeerText(s: string, max = 80): string {
  const cut = s.length > max ? s.slice(0, max) : s;
  const out = cut.replace(/[^\x20-\x7e]|[\\"]/gu, (c) => {
    const cp = c.codePointAt(0)!;
    return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
  });
  return s.length > max ? `${out}...` : out;
}

export function signStatusBody(body: string | Buffer, secret: string): string {
  return `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function signatureMatches(body: Buffer, header: string | undefined, secret: string): boolean {
  if (header === undefined) return false;
  const want = Buffer.from(signStatusBody(body, secret));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

type Check<T> = { ok: T } | { error: string };

const isInt = (x: unknown, lo: number, hi: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi;

function checkInstance(x: unknown, i: number): Check<StatusInstance> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return { error: `instances[${i}] is not an object` };
  const o = x as Record<string, unknown>;
  const bad = (field: string): Check<StatusInstance> => ({ error: `instances[${i}].${field} is missing or invalid (${escapePeerText(JSON.stringify(o[field]) ?? 'undefined', 40)})` });
  if (typeof o.name !== 'string' || !NAME_RE.test(o.name)) return bad('name');
  if (!isInt(o.vrid, 1, 255)) return bad('vrid');
  if (o.family !== 4 && o.family !== 6) return bad('family');
  if (typeof o.state !== 'string' || !(STATES as readonly string[]).includes(o.state)) return bad('state');
  if (!isInt(o.priority, 0, 255)) return bad('priority');
  if (!isInt(o.effectivePriority, 0, 255)) return bad('effectivePriority');
  // No zone index (fe80::1%eth0): it names an interface of the peer, meaningless here.
  if (typeof o.address !== 'string' || o.address.includes('%') || isIP(o.address) !== o.family) return bad('address');
  if (typeof o.splitBrain !== 'string' || !(PHASES as readonly string[]).includes(o.splitBrain)) return bad('splitBrain');
  return {
    ok: {
      name: o.name,
      vrid: o.vrid,
      family: o.family,
      state: o.state,
      priority: o.priority,
      effectivePriority: o.effectivePriority,
      address: o.address,
      splitBrain: o.splitBrain as SplitBrainPhase,
    },
  };
}

/** Schema check of a parsed body: every field typed and in range, IP fields parse as IPs. */
export function checkStatusDocument(x: unknown): Check<StatusDocument> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return { error: 'not a JSON object' };
  const o = x as Record<string, unknown>;
  if (o.program !== 'haldir-vrrp') return { error: 'not a haldir-vrrp status document' };
  if (typeof o.routerId !== 'string' || o.routerId.length > 255 || /[^\x20-\x7e]/.test(o.routerId)) return { error: 'routerId is missing or invalid' };
  if (!Array.isArray(o.instances) || o.instances.length > 16) return { error: 'instances is missing or too long' };
  if (o.instance !== undefined && (typeof o.instance !== 'string' || !NAME_RE.test(o.instance))) return { error: 'instance is invalid' };
  if (o.nonce !== undefined && (typeof o.nonce !== 'string' || !NONCE_RE.test(o.nonce))) return { error: 'nonce is invalid' };
  if (o.time !== undefined && !isInt(o.time, 0, Number.MAX_SAFE_INTEGER)) return { error: 'time is invalid' };
  const instances: StatusInstance[] = [];
  for (const [i, raw] of o.instances.entries()) {
    const c = checkInstance(raw, i);
    if ('error' in c) return c;
    instances.push(c.ok);
  }
  return { ok: { program: 'haldir-vrrp', routerId: o.routerId, instance: o.instance, nonce: o.nonce, time: o.time, instances } };
}

/** What one read of the peer's status channel gave. Only `ok` is ever evidence. */
export type PeerStatus =
  | { readonly kind: 'ok'; readonly doc: StatusDocument }
  /** It answered, but without a valid signature over this request's nonce and instance. */
  | { readonly kind: 'unauthenticated'; readonly reason: string }
  /** It answered something that is not a status document (too large, compressed, bad schema). */
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'unreachable'; readonly reason: string };

export interface StatusExpectation {
  /** status_secret; undefined = none configured, so nothing can be authenticated. */
  readonly secret: string | undefined;
  readonly nonce: string;
  readonly instance: string;
  /** Our wall clock (ms since the epoch). */
  readonly now: number;
}

/**
 * Judges one answer (body bytes as received, the signature header): authenticated first
 * (nothing unauthenticated is parsed further than needed to say so), then the schema,
 * then that it answers this very request (nonce, instance) and is fresh.
 */
export function verifyStatusAnswer(body: Buffer, signature: string | undefined, want: StatusExpectation): PeerStatus {
  if (want.secret === undefined) return { kind: 'unauthenticated', reason: 'no status_secret configured on this node' };
  if (signature === undefined) return { kind: 'unauthenticated', reason: 'the answer is not signed (is status_secret set on the peer?)' };
  if (!signatureMatches(body, signature, want.secret)) return { kind: 'unauthenticated', reason: 'bad signature (status_secret differs between the nodes?)' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { kind: 'invalid', reason: 'the body is not JSON' };
  }
  const c = checkStatusDocument(parsed);
  if ('error' in c) return { kind: 'invalid', reason: c.error };
  const doc = c.ok;
  if (doc.nonce !== want.nonce) return { kind: 'unauthenticated', reason: 'the answer is for another request (replayed?)' };
  if (doc.instance !== want.instance) return { kind: 'unauthenticated', reason: 'the answer is for another instance' };
  if (doc.time === undefined || Math.abs(doc.time - want.now) > MAX_CLOCK_SKEW_MS) {
    const skew = doc.time === undefined ? 'no time' : `${Math.round((doc.time - want.now) / 1000)} s off`;
    return { kind: 'unauthenticated', reason: `the peer's clock is ${skew} (more than ${MAX_CLOCK_SKEW_MS / 1000} s): synchronise both with NTP` };
  }
  return { kind: 'ok', doc };
}

export interface InstanceKey {
  readonly name: string;
  readonly vrid: number;
  readonly family: 4 | 6;
}

/**
 * The peer's view of our instance: same name, VRID and address family. Two instances
 * may share a VRID on different interfaces (VRIDs are per link and family), so the VRID
 * alone could pick the wrong one; both nodes name an instance alike (mirrored vrrp.cf).
 */
export function reportFor(doc: StatusDocument | undefined, key: InstanceKey): PeerReport | undefined {
  const i = doc?.instances.find((x) => x.name === key.name && x.vrid === key.vrid && x.family === key.family);
  return i ? { state: i.state, priority: i.effectivePriority, address: i.address, splitBrain: i.splitBrain } : undefined;
}
