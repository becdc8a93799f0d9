// desired x observed -> the minimal list of ipvsadm commands. Pure.
// Only managed services are touched: those in `desired` plus the ids the caller names
// (a service the previous config owned and this one dropped). A service someone added
// by hand is neither edited nor deleted. Order is valid for ipvsadm: service adds and
// edits first, then destination deletes, edits and adds, then service deletes (ipvsadm
// -D removes a service with its destinations, so no per-destination deletes there).
import { destKey, serviceId } from './keys.js';
import type { IpvsDestination, IpvsOp, IpvsService, IpvsTable, ServiceSpec } from './types.js';

export function sameServiceSpec(a: ServiceSpec, b: ServiceSpec): boolean {
  return (
    a.scheduler === b.scheduler &&
    a.persistent === b.persistent &&
    a.netmask === b.netmask &&
    a.ops === b.ops &&
    a.schedFlags === b.schedFlags
  );
}

export function sameDestination(a: IpvsDestination, b: IpvsDestination): boolean {
  return (
    a.forward === b.forward &&
    a.weight === b.weight &&
    a.upperThreshold === b.upperThreshold &&
    a.lowerThreshold === b.lowerThreshold
  );
}

function specOf(s: IpvsService): ServiceSpec {
  return { key: s.key, scheduler: s.scheduler, persistent: s.persistent, netmask: s.netmask, ops: s.ops, schedFlags: s.schedFlags };
}

export function indexTable(table: IpvsTable): Map<string, IpvsService> {
  return new Map(table.services.map((s) => [serviceId(s.key), s]));
}

export function planOps(
  observed: IpvsTable,
  desired: IpvsTable,
  managedServiceIds: Iterable<string> = [],
): IpvsOp[] {
  const obs = indexTable(observed);
  const des = indexTable(desired);
  const serviceOps: IpvsOp[] = [];
  const destDeletes: IpvsOp[] = [];
  const destEdits: IpvsOp[] = [];
  const destAdds: IpvsOp[] = [];
  const serviceDeletes: IpvsOp[] = [];

  for (const [id, want] of des) {
    const have = obs.get(id);
    if (!have) {
      serviceOps.push({ kind: 'add-service', service: specOf(want) });
      for (const d of want.destinations) destAdds.push({ kind: 'add-dest', key: want.key, dest: d });
      continue;
    }
    if (!sameServiceSpec(have, want)) serviceOps.push({ kind: 'edit-service', service: specOf(want) });
    const haveDests = new Map(have.destinations.map((d) => [destKey(d), d]));
    const wantKeys = new Set<string>();
    for (const d of want.destinations) {
      const k = destKey(d);
      wantKeys.add(k);
      const h = haveDests.get(k);
      if (!h) destAdds.push({ kind: 'add-dest', key: want.key, dest: d });
      else if (!sameDestination(h, d)) destEdits.push({ kind: 'edit-dest', key: want.key, dest: d });
    }
    for (const h of have.destinations) {
      if (!wantKeys.has(destKey(h))) {
        destDeletes.push({ kind: 'delete-dest', key: want.key, dest: { address: h.address, port: h.port } });
      }
    }
  }
  for (const id of new Set(managedServiceIds)) {
    const have = obs.get(id);
    if (have && !des.has(id)) serviceDeletes.push({ kind: 'delete-service', key: have.key });
  }
  return [...serviceOps, ...destDeletes, ...destEdits, ...destAdds, ...serviceDeletes];
}

/** The table after ops, as the kernel would hold it (ops that cannot apply are skipped). */
export function applyOpsToTable(table: IpvsTable, ops: readonly IpvsOp[]): IpvsTable {
  const services = new Map<string, { spec: ServiceSpec; dests: Map<string, IpvsDestination> }>();
  for (const s of table.services) {
    services.set(serviceId(s.key), { spec: specOf(s), dests: new Map(s.destinations.map((d) => [destKey(d), d])) });
  }
  for (const op of ops) {
    switch (op.kind) {
      case 'add-service':
      case 'edit-service': {
        const id = serviceId(op.service.key);
        const cur = services.get(id);
        if (op.kind === 'add-service' && !cur) services.set(id, { spec: op.service, dests: new Map() });
        if (op.kind === 'edit-service' && cur) cur.spec = op.service;
        break;
      }
      case 'delete-service':
        services.delete(serviceId(op.key));
        break;
      case 'add-dest':
      case 'edit-dest': {
        const s = services.get(serviceId(op.key));
        const k = destKey(op.dest);
        if (s && (op.kind === 'add-dest') !== s.dests.has(k)) s.dests.set(k, op.dest);
        break;
      }
      case 'delete-dest':
        services.get(serviceId(op.key))?.dests.delete(destKey(op.dest));
        break;
    }
  }
  return { services: [...services.values()].map((s) => ({ ...s.spec, destinations: [...s.dests.values()] })) };
}
