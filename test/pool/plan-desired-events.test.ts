// Planner behaviours the main suite leaves open: the event kinds the mailer and the
// alert policy key on, steady states that must stay silent, reals sharing one kernel
// entry, quiesced reals beside an active fallback, and ld_stop's cleanstop purge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDesiredTable, planShutdown, healthFromMap } from '../../src/pool/plan-desired.js';
import type { HealthLookup, PoolPlanOptions, RealHealth } from '../../src/pool/plan-desired.js';
import { applyOpsToTable, planOps } from '../../src/ipvs/plan.js';
import type { IpvsDestination, IpvsService, IpvsTable } from '../../src/ipvs/types.js';
import { config, fallback, real, virtual } from './config-factory.js';

const VID = 'tcp:10.0.0.1:80';
const EMPTY: IpvsTable = { services: [] };
const KEY = { protocol: 'tcp', family: 'inet', address: '10.0.0.1', port: 80, fwmark: undefined } as const;

const healthOf = (reals: Record<string, RealHealth>): HealthLookup => healthFromMap(new Map([[VID, new Map(Object.entries(reals))]]));
function dest(address: string, weight: number, forward: IpvsDestination['forward'] = 'gate', port = 80): IpvsDestination {
  return { address, port, forward, weight, upperThreshold: 0, lowerThreshold: 0 };
}
function table(...destinations: IpvsDestination[]): IpvsTable {
  const s: IpvsService = { key: KEY, scheduler: 'wrr', persistent: undefined, netmask: undefined, ops: false, schedFlags: 0, destinations };
  return { services: [s] };
}
/** One planner round applied to the table, as the director loop runs it. */
function round(cfg: ReturnType<typeof config>, reals: Record<string, RealHealth>, observed: IpvsTable, opts: PoolPlanOptions = {}) {
  const p = planDesiredTable(cfg, healthOf(reals), observed, opts);
  return { ...p, table: applyOpsToTable(observed, planOps(observed, p.desired, p.managedServiceIds)) };
}
const kinds = (r: { events: readonly { kind: string; message: string }[] }) => r.events.map((e) => `${e.kind}|${e.message}`);
function weights(t: IpvsTable): Record<string, string> {
  const s = t.services.find((x) => x.key.port === 80 && x.key.address === '10.0.0.1');
  assert.ok(s, 'the virtual is in the table');
  return Object.fromEntries(s.destinations.map((d) => [`${d.address}:${d.port}`, `${d.forward}/${d.weight}`]));
}

test('event kinds through a real and fallback lifecycle (quiescent=no)', () => {
  const cfg = config([virtual('10.0.0.1:80', [real('10.0.0.2', 80), real('10.0.0.3', 80)], { fallback: fallback('10.0.0.9', 80) })]);
  const r1 = round(cfg, { '10.0.0.2:80': 'up', '10.0.0.3:80': 'up' }, EMPTY);
  assert.deepEqual(kinds(r1), [
    'virtual-added|Added virtual server: 10.0.0.1:80',
    'added|Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)',
    'added|Added real server: 10.0.0.3:80 (10.0.0.1:80) (Weight set to 1)',
  ]);
  const r2 = round(cfg, { '10.0.0.2:80': 'down', '10.0.0.3:80': 'down' }, r1.table);
  assert.deepEqual(kinds(r2), [
    'deleted|Deleted real server: 10.0.0.2:80 (10.0.0.1:80)',
    'deleted|Deleted real server: 10.0.0.3:80 (10.0.0.1:80)',
    'added-fallback|Added fallback server: 10.0.0.9:80 (10.0.0.1:80) (Weight set to 1)',
  ]);
  // Fallback serving and nothing changed: not a word.
  assert.deepEqual(round(cfg, { '10.0.0.2:80': 'down', '10.0.0.3:80': 'down' }, r2.table).events, []);
  // Someone edits the fallback's weight by hand: put back and said so.
  const edited = table(dest('10.0.0.9', 3));
  assert.deepEqual(kinds(round(cfg, { '10.0.0.2:80': 'down', '10.0.0.3:80': 'down' }, edited)), [
    'restored-fallback|Restored fallback server: 10.0.0.9:80 (10.0.0.1:80) (Weight set to 1)',
  ]);
  const r3 = round(cfg, { '10.0.0.2:80': 'up', '10.0.0.3:80': 'down' }, r2.table);
  assert.deepEqual(kinds(r3), [
    'added|Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)',
    'deleted-fallback|Deleted fallback server: 10.0.0.9:80 (10.0.0.1:80)',
  ]);
  // A weight change in the config edits the entry: "Restored".
  const heavier = config([virtual('10.0.0.1:80', [real('10.0.0.2', 80, { weight: 4 }), real('10.0.0.3', 80)], { fallback: fallback('10.0.0.9', 80), scheduler: 'rr' })]);
  assert.deepEqual(kinds(round(heavier, { '10.0.0.2:80': 'up', '10.0.0.3:80': 'down' }, r3.table)), [
    'virtual-changed|Changed virtual server: 10.0.0.1:80',
    'restored|Restored real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 4)',
  ]);
});

test('event kinds of quiescing, and of purges at start and at stop', () => {
  const cfg = (readdquiescent: boolean) => config([virtual('10.0.0.1:80', [real('10.0.0.2', 80), real('10.0.0.3', 80)], { quiescent: true })], { readdquiescent });
  // .2 in the table and failing: quiesced. .3 never checked and absent: quiesced on start.
  const r = round(cfg(false), { '10.0.0.2:80': 'down' }, table(dest('10.0.0.2', 1), dest('10.0.0.77', 1)), { phase: 'start', previousVirtualIds: [VID, 'tcp:10.0.0.1:81', 'tcp:10.0.0.1:82'] });
  assert.deepEqual(kinds(r), [
    'quiescent|Quiescent real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 0)',
    'quiescent|Quiescent real server: 10.0.0.3:80 (10.0.0.1:80) (Weight set to 0)',
    'purged|Purged real server (start): 10.0.0.77:80 (10.0.0.1:80)',
  ], 'dropped virtuals that are not in the table are not reported as purged');
  // Down and gone from the table: re-added at weight 0 only with readdquiescent.
  const readd = round(cfg(true), { '10.0.0.2:80': 'down', '10.0.0.3:80': 'down' }, table());
  assert.deepEqual(kinds(readd), [
    'readd-quiescent|Readd Quiescent real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 0)',
    'readd-quiescent|Readd Quiescent real server: 10.0.0.3:80 (10.0.0.1:80) (Weight set to 0)',
  ]);
  // Purging a dropped virtual that is in the table.
  const dropped = round(config([]), {}, readd.table, { phase: 'start', previousVirtualIds: [VID] });
  assert.deepEqual(kinds(dropped), ['virtual-purged|Purged virtual server (start): 10.0.0.1:80']);
  // ld_stop: purge_service only for reals with a virtual_status (up); the virtual itself.
  // The fallback was serving (state 'start'), but there is no fallbackcommand to stop.
  const s = planShutdown(cfg(false), table(dest('10.0.0.2', 2), dest('10.0.0.3', 0)), new Map([[VID, 'start']]));
  assert.deepEqual(kinds(s), [
    'purged|Purged real server (stop): 10.0.0.2:80 (10.0.0.1:80)',
    'virtual-purged|Purged virtual server (stop): 10.0.0.1:80',
  ]);
  assert.deepEqual(s.fallbackCommands, [], 'no fallbackcommand configured: nothing to run');
});

test('an already quiesced real stays silent; a forwarding change re-quiesces it with the new method', () => {
  const cfg = (forward: IpvsDestination['forward']) => config([virtual('10.0.0.1:80', [real('10.0.0.2', 80, { forward })], { quiescent: true })]);
  const quiet = round(cfg('gate'), { '10.0.0.2:80': 'down' }, table(dest('10.0.0.2', 0)));
  assert.deepEqual(quiet.events, []);
  assert.deepEqual(weights(quiet.table), { '10.0.0.2:80': 'gate/0' });
  const moved = round(cfg('ipip'), { '10.0.0.2:80': 'down' }, table(dest('10.0.0.2', 0)));
  assert.deepEqual(kinds(moved), ['quiescent|Quiescent real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 0)']);
  assert.deepEqual(weights(moved.table), { '10.0.0.2:80': 'ipip/0' });
});

test('quiesced reals stay in the table at weight 0 while the fallback serves', () => {
  const cfg = config([virtual('10.0.0.1:80', [real('10.0.0.2', 80), real('10.0.0.3', 80)], { quiescent: true, fallback: fallback('10.0.0.9', 80) })]);
  const r = round(cfg, { '10.0.0.2:80': 'down', '10.0.0.3:80': 'down' }, table(dest('10.0.0.2', 1), dest('10.0.0.3', 1)));
  assert.deepEqual(weights(r.table), { '10.0.0.2:80': 'gate/0', '10.0.0.3:80': 'gate/0', '10.0.0.9:80': 'gate/1' });
});

test('config reals that ipvsadm maps onto one kernel entry: an up one owns it, the first of several', () => {
  // Gate reals on 8080 and 8081 both land on the virtual's port 80 (ipvsadm forces it).
  const cfg = (a: Partial<Parameters<typeof real>[2]> = {}, b: Partial<Parameters<typeof real>[2]> = {}) =>
    config([virtual('10.0.0.1:80', [real('10.0.0.2', 8080, { weight: 2, ...a }), real('10.0.0.2', 8081, { weight: 3, ...b })], { quiescent: true })]);
  assert.deepEqual(weights(round(cfg(), { '10.0.0.2:8080': 'down', '10.0.0.2:8081': 'up' }, EMPTY).table), { '10.0.0.2:80': 'gate/3' });
  assert.deepEqual(weights(round(cfg(), { '10.0.0.2:8080': 'up', '10.0.0.2:8081': 'down' }, EMPTY).table), { '10.0.0.2:80': 'gate/2' });
  assert.deepEqual(weights(round(cfg(), { '10.0.0.2:8080': 'up', '10.0.0.2:8081': 'up' }, EMPTY).table), { '10.0.0.2:80': 'gate/2' });
  // Both down and already quiesced by the first: nothing to redo for the second's method.
  const quiesced = round(cfg({}, { forward: 'ipip' }), { '10.0.0.2:8080': 'down', '10.0.0.2:8081': 'down' }, table(dest('10.0.0.2', 0)));
  assert.deepEqual(quiesced.events, []);
  assert.deepEqual(weights(quiesced.table), { '10.0.0.2:80': 'gate/0' });
});

test('two virtuals on one service: the first owns the entry, the second adds nothing', () => {
  const first = virtual('10.0.0.1:80', [real('10.0.0.2', 80)]);
  const second = virtual('10.0.0.1:80', [real('10.0.0.3', 80)], { scheduler: 'rr' });
  const r = round(config([first, second]), { '10.0.0.2:80': 'up', '10.0.0.3:80': 'up' }, EMPTY);
  assert.equal(r.desired.services.length, 1);
  assert.equal(r.desired.services[0]!.scheduler, 'wrr');
  assert.deepEqual(weights(r.table), { '10.0.0.2:80': 'gate/1' });
  assert.deepEqual(r.managedServiceIds, [VID]);
});
