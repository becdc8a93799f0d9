// The read-only status document one haldir-vrrp serves to its peer (status_listen) and
// reads from it (peer): enough to tell "both MASTER for one VRID" and, for
// split_brain_action = yield, which of the two would lose the election.

import type { PeerReport } from './detector.js';

export type SplitBrainPhase = 'none' | 'detected' | 'yielded';

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
  readonly instances: readonly StatusInstance[];
}

/** Path of the document on the status listener. */
export const STATUS_PATH = '/vrrp/status';

function isInstance(x: unknown): x is StatusInstance {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.vrid === 'number' && typeof o.state === 'string' && typeof o.effectivePriority === 'number' && typeof o.address === 'string';
}

/** Validates a parsed body; undefined when it is not a haldir-vrrp status document. */
export function asStatusDocument(x: unknown): StatusDocument | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const o = x as Record<string, unknown>;
  if (o.program !== 'haldir-vrrp' || !Array.isArray(o.instances)) return undefined;
  return { program: 'haldir-vrrp', routerId: String(o.routerId ?? ''), instances: o.instances.filter(isInstance) };
}

/** The peer's view of the instance with our VRID and address family (VRIDs are per family). */
export function reportFor(doc: StatusDocument | undefined, vrid: number, family: 4 | 6): PeerReport | undefined {
  const i = doc?.instances.find((x) => x.vrid === vrid && (x.family ?? family) === family);
  return i ? { state: i.state, priority: i.effectivePriority, address: i.address, splitBrain: i.splitBrain } : undefined;
}
