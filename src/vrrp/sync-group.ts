// vrrp_sync_group: the instances of a group fail over together (keepalived
// vrrp_sync.c). When one member changes state on its own, every other member is
// told to follow; transitions caused by a sync event do not propagate again.

import type { MachineEvent } from './machine.js';
import type { VrrpState } from './instance.js';

export interface SyncGroup {
  name: string;
  instances: string[];
}

export function syncFollowers(
  groups: readonly SyncGroup[],
  t: { instance: string; to: VrrpState; fromSync: boolean },
): { instance: string; event: MachineEvent }[] {
  if (t.fromSync || t.to === 'INIT') return [];
  const to = t.to;
  const out: { instance: string; event: MachineEvent }[] = [];
  for (const g of groups) {
    if (!g.instances.includes(t.instance)) continue;
    for (const other of g.instances) {
      if (other !== t.instance) out.push({ instance: other, event: { type: 'sync', to } });
    }
  }
  return out;
}
