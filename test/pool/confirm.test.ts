// confirmEvents: a planned change is reported only when the table read back shows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDesiredTable, healthFromMap, adoptedReals } from '../../src/pool/plan-desired.js';
import { confirmEvents } from '../../src/pool/confirm.js';
import { applyOpsToTable, planOps } from '../../src/ipvs/plan.js';
import type { IpvsTable } from '../../src/ipvs/types.js';
import { config, fallback, real, virtual } from './config-factory.js';

const health = (m: Record<string, 'up' | 'down'>) => healthFromMap(new Map([['tcp:10.0.0.1:80', new Map(Object.entries(m))]]));

test('every event of a round that went through is confirmed; none of a round the kernel refused', () => {
  const cfg = config([virtual('10.0.0.1:80', [real('10.0.0.2', 80), real('10.0.0.3', 80)], { fallback: fallback('10.0.0.9', 80) })]);
  const start = planDesiredTable(cfg, health({ '10.0.0.2:80': 'up', '10.0.0.3:80': 'up' }), { services: [] });
  const t1 = applyOpsToTable({ services: [] }, planOps({ services: [] }, start.desired, start.managedServiceIds));
  assert.deepEqual(confirmEvents(start.events, start.desired, t1), start.events);
  assert.deepEqual(confirmEvents(start.events, start.desired, { services: [] }), [], 'nothing landed: nothing to report');

  // both reals fail: two deletes and the fallback; only the first delete lands
  const down = planDesiredTable(cfg, health({ '10.0.0.2:80': 'down', '10.0.0.3:80': 'down' }), t1);
  const ops = planOps(t1, down.desired, down.managedServiceIds);
  const first = ops.find((o) => o.kind === 'delete-dest' && o.dest.address === '10.0.0.2')!;
  const partial: IpvsTable = applyOpsToTable(t1, [first]);
  assert.deepEqual(confirmEvents(down.events, down.desired, partial).map((e) => e.message), ['Deleted real server: 10.0.0.2:80 (10.0.0.1:80)']);
  const all = applyOpsToTable(t1, ops);
  assert.deepEqual(confirmEvents(down.events, down.desired, all).map((e) => e.message), down.events.map((e) => e.message));
});

test('adoptedReals: configured reals serving in the table with weight > 0, not quiesced ones, not checktype=off', () => {
  const v = virtual('10.0.0.1:80', [real('10.0.0.2', 80), real('10.0.0.3', 80), real('10.0.0.4', 80)]);
  const off = virtual('10.0.0.5:80', [real('10.0.0.2', 80)], { check: { kind: 'off' } });
  const dest = (address: string, weight: number) => ({ address, port: 80, forward: 'gate', weight, upperThreshold: 0, lowerThreshold: 0 }) as const;
  const svc = (address: string, destinations: ReturnType<typeof dest>[]) => ({
    key: { protocol: 'tcp', family: 'inet', address, port: 80, fwmark: undefined } as const,
    scheduler: 'wrr', persistent: undefined, netmask: undefined, ops: false, schedFlags: 0, destinations,
  });
  const table: IpvsTable = { services: [svc('10.0.0.1', [dest('10.0.0.2', 1), dest('10.0.0.3', 0), dest('10.0.0.77', 1)]), svc('10.0.0.5', [dest('10.0.0.2', 1)])] };
  assert.deepEqual(adoptedReals(config([v, off]), table), [{ virtualId: 'tcp:10.0.0.1:80', realKey: '10.0.0.2:80' }]);
});
