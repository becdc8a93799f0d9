// planOps / applyOpsToTable details the properties do not pin down: a persistence mask or
// one-packet scheduling change is a service edit (ipvsadm -E), and the table model
// refuses what the kernel refuses (ip_vs_ctl.c: -A of an existing service and -a of an
// existing real fail with EEXIST, -E/-e/-d of a missing one with ESRCH), so a replayed
// or stale op never invents or overwrites an entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOpsToTable, planOps } from '../../src/ipvs/plan.js';
import type { IpvsDestination, IpvsOp, IpvsService, IpvsTable, ServiceKey } from '../../src/ipvs/types.js';

const key = (port: number): ServiceKey => ({ protocol: 'udp', family: 'inet', address: '10.0.0.1', port, fwmark: undefined });
const dest = (address: string, weight: number): IpvsDestination => ({ address, port: 53, forward: 'masq', weight, upperThreshold: 0, lowerThreshold: 0 });
function service(port: number, over: Partial<IpvsService> = {}): IpvsService {
  return { key: key(port), scheduler: 'rr', persistent: 60, netmask: '255.255.255.0', ops: false, schedFlags: 0, destinations: [], ...over };
}
const spec = ({ destinations: _d, ...s }: IpvsService) => s;

test('a netmask or ops change alone is a service edit', () => {
  const have: IpvsTable = { services: [service(53)] };
  assert.deepEqual(planOps(have, { services: [service(53, { netmask: '255.255.0.0' })] }).map((o) => o.kind), ['edit-service']);
  assert.deepEqual(planOps(have, { services: [service(53, { ops: true })] }).map((o) => o.kind), ['edit-service']);
  assert.deepEqual(planOps(have, { services: [service(53)] }), []);
});

test('the table model applies only what the kernel would accept', () => {
  const start: IpvsTable = { services: [service(53, { destinations: [dest('10.0.0.2', 1)] })] };
  const ops: IpvsOp[] = [
    { kind: 'add-service', service: spec(service(53, { scheduler: 'wlc' })) }, // exists: EEXIST
    { kind: 'edit-service', service: spec(service(54, { scheduler: 'wlc' })) }, // missing: ESRCH
    { kind: 'add-dest', key: key(53), dest: dest('10.0.0.2', 9) }, // exists: EEXIST
    { kind: 'edit-dest', key: key(53), dest: dest('10.0.0.3', 9) }, // missing: ESRCH
    { kind: 'add-dest', key: key(55), dest: dest('10.0.0.2', 1) }, // no such service
    { kind: 'delete-dest', key: key(56), dest: { address: '10.0.0.2', port: 53 } }, // no such service
  ];
  assert.deepEqual(applyOpsToTable(start, ops), start);
  // The same ops the right way round do apply.
  const ok = applyOpsToTable(start, [
    { kind: 'edit-service', service: spec(service(53, { scheduler: 'wlc' })) },
    { kind: 'add-service', service: spec(service(54)) },
    { kind: 'edit-dest', key: key(53), dest: dest('10.0.0.2', 9) },
    { kind: 'add-dest', key: key(54), dest: dest('10.0.0.3', 2) },
  ]);
  assert.deepEqual(ok.services.map((s) => [s.key.port, s.scheduler, s.destinations.map((d) => `${d.address}/${d.weight}`)]), [
    [53, 'wlc', ['10.0.0.2/9']],
    [54, 'rr', ['10.0.0.3/2']],
  ]);
});
