// vrrp_sync_group: the instances of a group fail over together (keepalived
// vrrp_sync.c). When one member changes state on its own, every other member is
// told to follow; transitions caused by a sync event do not propagate again.
// The group also has a state of its own, whose changes run the group's notify
// scripts (keepalived vrrp_notify.c send_group_notifies).

import type { MachineEvent } from './machine.js';
import type { VrrpState } from './instance.js';
import type { NotifyScripts } from './notify.js';

export interface SyncGroup {
  name: string;
  instances: string[];
  /** notify_master / _backup / _fault / _stop and the generic notify of the group. */
  notify?: NotifyScripts;
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

export type GroupState = 'MASTER' | 'BACKUP' | 'FAULT';

/**
 * The group's state after a member moved to `to` (members' states already updated), or
 * undefined when it stays `current`. As keepalived 2.2.7 decides it:
 * - FAULT as soon as one member faults (vrrp_track.c down_instance -> vrrp_sync_fault);
 * - MASTER once every member is master (vrrp_sync_master syncs them all, then sets it);
 * - BACKUP when a member goes backup and none is faulty (vrrp_sync_backup, from a master
 *   stepping down, and from try_up_instance once the group's last fault has cleared).
 * Shutdown (to INIT) is not a group transition: the daemon sends STOP for every group.
 */
export function groupStateAfter(current: GroupState | undefined, members: readonly VrrpState[], to: VrrpState): GroupState | undefined {
  let next: GroupState | undefined;
  if (to === 'FAULT') next = 'FAULT';
  else if (to === 'MASTER' && members.every((s) => s === 'MASTER')) next = 'MASTER';
  else if (to === 'BACKUP' && !members.includes('FAULT')) next = 'BACKUP';
  return next !== undefined && next !== current ? next : undefined;
}

/**
 * The group's state before its members start: MASTER when every member starts MASTER
 * (keepalived vrrp_sync_set_group: all address owners), else unknown, so that the first
 * BACKUP (or FAULT) of a member notifies it, as keepalived's vrrp_init_state notifies a
 * group that starts BACKUP or FAULT. A group starting MASTER gets no MASTER notify, as in keepalived.
 */
export function initialGroupState(memberInitialStates: readonly ('MASTER' | 'BACKUP')[]): GroupState | undefined {
  return memberInitialStates.length > 0 && memberInitialStates.every((s) => s === 'MASTER') ? 'MASTER' : undefined;
}
