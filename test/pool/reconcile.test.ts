import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBackend } from '../../src/ipvs/backends/memory.js';
import { reconcileTable } from '../../src/pool/reconcile.js';
import type { RealHealth } from '../../src/pool/plan-desired.js';
import { config, fallback, real, virtual } from './config-factory.js';

test('reconcileTable: start, checks, failure, recovery, reload dropping a virtual', async () => {
  const lines: string[] = [];
  const be = new MemoryBackend({ log: (l) => lines.push(l) });
  const a = virtual('10.0.0.1:80', [real('10.0.0.2', 80, { weight: 2 })], { fallback: fallback('127.0.0.1', 80), fallbackcommand: 'fb' });
  const b = virtual('10.0.0.1:81', [real('10.0.0.3', 81)]);
  let h: Record<string, RealHealth> = {};
  const health = (v: string, r: string) => h[`${v} ${r}`] ?? 'unknown';

  const r1 = await reconcileTable(be, config([a, b]), health, { phase: 'start' });
  assert.ok(r1.report.ok);
  assert.deepEqual(lines.splice(0), [
    'ipvsadm -A -t 10.0.0.1:80 -s wrr',
    'ipvsadm -A -t 10.0.0.1:81 -s wrr',
    'ipvsadm -a -t 10.0.0.1:80 -r 127.0.0.1:80 -g -w 1',
  ]);
  assert.deepEqual(r1.plan.fallbackCommands.map((c) => c.commandLine), ['fb start 10.0.0.1:80 tcp']);

  h = { 'tcp:10.0.0.1:80 10.0.0.2:80': 'up', 'tcp:10.0.0.1:81 10.0.0.3:81': 'up' };
  const r2 = await reconcileTable(be, config([a, b]), health, { fallbackState: r1.plan.fallbackState });
  assert.deepEqual(lines.splice(0), [
    'ipvsadm -d -t 10.0.0.1:80 -r 127.0.0.1:80',
    'ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 2',
    'ipvsadm -a -t 10.0.0.1:81 -r 10.0.0.3:81 -g -w 1',
  ]);
  assert.deepEqual(r2.plan.fallbackCommands.map((c) => c.commandLine), ['fb stop 10.0.0.1:80 tcp']);

  const r3 = await reconcileTable(be, config([a, b]), health, { fallbackState: r2.plan.fallbackState });
  assert.deepEqual(r3.ops, []);
  assert.equal(r3.report.mode, 'none');

  // Reload without b: its service goes.
  const r4 = await reconcileTable(be, config([a]), health, { phase: 'start', fallbackState: r3.plan.fallbackState, previousVirtualIds: [a.id, b.id] });
  assert.deepEqual(lines.splice(0), ['ipvsadm -D -t 10.0.0.1:81']);
  assert.deepEqual(r4.plan.events.map((e) => e.message), ['Purged virtual server (start): 10.0.0.1:81']);
});
