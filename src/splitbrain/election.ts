// Who yields under split_brain_action = yield: the node that would lose the VRRP election
// (RFC 3768 6.4.3 / RFC 5798 6.4.3): lower priority, then lower primary IP address. Both
// nodes evaluate the same total order on the same two (priority, address) pairs, so
// exactly one of them yields, never both.

import { canonicalAddress, compareAddresses } from '../vrrp/codec.js';

export interface Contender {
  /** Effective priority (tracking applied). */
  readonly priority: number;
  /** Primary address: the advert source the peer sees. */
  readonly address: string;
}

/** True when `self` would lose the election against `peer` (and so must yield). */
export function losesElection(self: Contender, peer: Contender): boolean {
  if (self.priority !== peer.priority) return self.priority < peer.priority;
  return compareAddresses(canonicalAddress(self.address), canonicalAddress(peer.address)) < 0;
}
