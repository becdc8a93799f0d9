import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fc } from '../helpers/fuzz.js';
import { applyOpsToTable, planOps } from '../../src/ipvs/plan.js';
import { kernelRefusal } from '../../src/ipvs/backends/memory.js';
import { destKey, serviceId } from '../../src/ipvs/keys.js';
import type { IpvsDestination, IpvsService, IpvsTable, ServiceKey } from '../../src/ipvs/types.js';

/** A table as a comparable value: services and dests keyed and sorted. */
function canon(t: IpvsTable, only?: (id: string) => boolean): unknown {
  return t.services
    .filter((s) => !only || only(serviceId(s.key)))
    .map((s) => ({ ...s, destinations: [...s.destinations].sort((a, b) => destKey(a).localeCompare(destKey(b))) }))
    .sort((a, b) => serviceId(a.key).localeCompare(serviceId(b.key)));
}

// Plain objects (fast-check defaults to null prototypes, which deepStrictEqual tells apart).
const NP = { noNullPrototype: true } as const;
const arbKey: fc.Arbitrary<ServiceKey> = fc.oneof(
  fc.record({ protocol: fc.constantFrom('tcp' as const, 'udp' as const), family: fc.constant('inet' as const), address: fc.constantFrom('10.0.0.1', '10.0.0.2'), port: fc.constantFrom(80, 443), fwmark: fc.constant(undefined) }, NP),
  fc.record({ protocol: fc.constant('tcp' as const), family: fc.constant('inet6' as const), address: fc.constantFrom('2001:db8::1'), port: fc.constantFrom(80), fwmark: fc.constant(undefined) }, NP),
  fc.record({ protocol: fc.constant('fwm' as const), family: fc.constantFrom('inet' as const, 'inet6' as const), address: fc.constant(undefined), port: fc.constant(0), fwmark: fc.constantFrom(1, 2) }, NP),
);
const arbDest: fc.Arbitrary<IpvsDestination> = fc.record({
  address: fc.constantFrom('10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4'),
  port: fc.constantFrom(80, 8080),
  forward: fc.constantFrom('gate' as const, 'masq' as const, 'ipip' as const),
  weight: fc.integer({ min: 0, max: 3 }),
  upperThreshold: fc.constantFrom(0, 10),
  lowerThreshold: fc.constantFrom(0, 5),
}, NP);
const arbService: fc.Arbitrary<IpvsService> = fc.record({
  key: arbKey,
  scheduler: fc.constantFrom('wrr', 'rr', 'sh'),
  persistent: fc.constantFrom(undefined, 300),
  netmask: fc.constant(undefined),
  ops: fc.boolean(),
  schedFlags: fc.integer({ min: 0, max: 7 }),
  destinations: fc.uniqueArray(arbDest, { selector: (d) => destKey(d), maxLength: 5 }),
}, NP);
const arbTable: fc.Arbitrary<IpvsTable> = fc
  .uniqueArray(arbService, { selector: (s) => serviceId(s.key), maxLength: 5 })
  .map((services) => ({ services }));

test('property: applying the plan to observed yields desired on managed services; replanning is empty; the rest is untouched', () => {
  fc.assert(
    fc.property(arbTable, arbTable, fc.uniqueArray(arbKey.map(serviceId), { maxLength: 3 }), (observed, desired, extraManaged) => {
      const ops = planOps(observed, desired, extraManaged);
      // Every op is one the kernel accepts in this order.
      let t = observed;
      for (const op of ops) {
        assert.equal(kernelRefusal(t, op), undefined, `op refused: ${JSON.stringify(op)}`);
        t = applyOpsToTable(t, [op]);
      }
      const managed = new Set([...desired.services.map((s) => serviceId(s.key)), ...extraManaged]);
      assert.deepEqual(canon(t, (id) => managed.has(id)), canon(desired));
      assert.deepEqual(canon(t, (id) => !managed.has(id)), canon(observed, (id) => !managed.has(id)));
      assert.deepEqual(planOps(t, desired, extraManaged), []);
    }),
    { numRuns: 400 },
  );
});

test('property: ops are minimal: an already-correct entry is never touched', () => {
  fc.assert(
    fc.property(arbTable, (table) => {
      assert.deepEqual(planOps(table, table, table.services.map((s) => serviceId(s.key))), []);
    }),
  );
});

test('order: service add/edit, dest deletes, edits, adds, then service deletes', () => {
  const k1: ServiceKey = { protocol: 'tcp', family: 'inet', address: '10.0.0.1', port: 80, fwmark: undefined };
  const k2: ServiceKey = { ...k1, port: 81 };
  const k3: ServiceKey = { ...k1, port: 82 };
  const dest = (a: string, weight = 1): IpvsDestination => ({ address: a, port: 80, forward: 'gate', weight, upperThreshold: 0, lowerThreshold: 0 });
  const svc = (key: ServiceKey, ds: IpvsDestination[], scheduler = 'wrr'): IpvsService => ({ key, scheduler, persistent: undefined, netmask: undefined, ops: false, schedFlags: 0, destinations: ds });
  const observed: IpvsTable = { services: [svc(k1, [dest('1.1.1.1'), dest('1.1.1.2')]), svc(k3, [dest('1.1.1.9')])] };
  const desired: IpvsTable = { services: [svc(k1, [dest('1.1.1.2', 5), dest('1.1.1.3')], 'rr'), svc(k2, [dest('1.1.1.4')])] };
  assert.deepEqual(planOps(observed, desired, [serviceId(k3)]).map((o) => o.kind), [
    'edit-service', 'add-service', 'delete-dest', 'edit-dest', 'add-dest', 'add-dest', 'delete-service',
  ]);
  // Without naming k3 as managed it is somebody else's: left alone.
  assert.ok(!planOps(observed, desired).some((o) => o.kind === 'delete-service'));
});
