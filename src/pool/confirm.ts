// Which planned table changes actually happened. ldirectord logs and mails "Deleted real
// server" right after system("ipvsadm -d ...") whatever its exit status (_remove_service
// ignores it), so a kernel that refuses every command still produces a mail per round.
// haldir reports an event only when the table read back after the round shows it: the
// log and the mails say what the kernel holds. Pure.
import { destKey } from '../ipvs/keys.js';
import { indexTable, sameDestination, sameServiceSpec } from '../ipvs/plan.js';
import type { IpvsTable } from '../ipvs/types.js';
import type { PoolEvent } from './plan-desired.js';

/** The events of `planned` whose effect `actual` shows; `desired` is the plan's table. */
export function confirmEvents(planned: readonly PoolEvent[], desired: IpvsTable, actual: IpvsTable): PoolEvent[] {
  const want = indexTable(desired);
  const have = indexTable(actual);
  const wantDest = (svc: string, dest: string) => want.get(svc)?.destinations.find((d) => destKey(d) === dest);
  const haveDest = (svc: string, dest: string) => have.get(svc)?.destinations.find((d) => destKey(d) === dest);
  return planned.filter((e) => {
    const { service, dest } = e.entry;
    switch (e.kind) {
      case 'virtual-added':
      case 'virtual-changed': {
        const w = want.get(service);
        const h = have.get(service);
        return w !== undefined && h !== undefined && sameServiceSpec(h, w);
      }
      case 'virtual-purged':
        return !have.has(service);
      case 'deleted':
      case 'deleted-fallback':
      case 'purged':
        return dest === undefined || haveDest(service, dest) === undefined;
      default: {
        // added, restored, quiescent, readd-quiescent, added-fallback, restored-fallback
        if (dest === undefined) return true;
        const w = wantDest(service, dest);
        const h = haveDest(service, dest);
        return w !== undefined && h !== undefined && sameDestination(h, w);
      }
    }
  });
}
