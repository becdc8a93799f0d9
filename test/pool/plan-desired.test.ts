import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDesiredTable, planShutdown, healthFromMap, realKey } from '../../src/pool/plan-desired.js';
import type { HealthLookup, RealHealth } from '../../src/pool/plan-desired.js';
import { applyOpsToTable, planOps } from '../../src/ipvs/plan.js';
import { opArgs } from '../../src/ipvs/ipvsadm-text.js';
import { serviceId } from '../../src/ipvs/keys.js';
import type { IpvsDestination, IpvsTable } from '../../src/ipvs/types.js';
import { config, fallback, real, virtual } from './config-factory.js';

const EMPTY: IpvsTable = { services: [] };

function health(entries: Record<string, Record<string, RealHealth>>): HealthLookup {
  return healthFromMap(new Map(Object.entries(entries).map(([v, m]) => [v, new Map(Object.entries(m))])));
}
function dests(t: IpvsTable, id: string): Record<string, Omit<IpvsDestination, 'address' | 'port'>> {
  const s = t.services.find((x) => serviceId(x.key) === id);
  assert.ok(s, `service ${id} in desired table`);
  return Object.fromEntries(s.destinations.map(({ address, port, ...rest }) => [address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`, rest]));
}
const d = (weight: number, forward: IpvsDestination['forward'] = 'gate', upperThreshold = 0, lowerThreshold = 0) => ({ forward, weight, upperThreshold, lowerThreshold });
/** Steps the planner and applies its ops, as the director's loop does. */
function step(cfg: ReturnType<typeof config>, h: HealthLookup, observed: IpvsTable, opts = {}) {
  const p = planDesiredTable(cfg, h, observed, opts);
  const ops = planOps(observed, p.desired, p.managedServiceIds);
  return { ...p, ops, table: applyOpsToTable(observed, ops) };
}

test('up reals are added with ldirectord texts; the virtual is added first', () => {
  const v = virtual('10.0.0.1:80', [real('10.0.0.2', 80, { weight: 3 }), real('10.0.0.3', 8080, { forward: 'masq', upperThreshold: 50, lowerThreshold: 5 })]);
  const r = step(config([v]), health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'up', '10.0.0.3:8080': 'up' } }), EMPTY);
  assert.deepEqual(r.events.map((e) => e.message), [
    'Added virtual server: 10.0.0.1:80',
    'Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 3)',
    'Added real server: 10.0.0.3:8080 (10.0.0.1:80) (Weight set to 1)',
  ]);
  assert.deepEqual(r.ops.map((o) => opArgs(o).join(' ')), [
    '-A -t 10.0.0.1:80 -s wrr',
    '-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 3',
    '-a -t 10.0.0.1:80 -r 10.0.0.3:8080 -m -w 1 -x 50 -y 5',
  ]);
  // Steady state: nothing more to do, nothing more to say.
  const again = step(config([v]), health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'up', '10.0.0.3:8080': 'up' } }), r.table);
  assert.deepEqual(again.ops, []);
  assert.deepEqual(again.events, []);
});

test('quiescent=no deletes a failed real; quiescent=yes sets weight 0 (thresholds dropped, as ldirectord -e without -x/-y)', () => {
  const reals = [real('10.0.0.2', 80, { weight: 2, upperThreshold: 9 }), real('10.0.0.3', 80)];
  const up = { '10.0.0.2:80': 'up', '10.0.0.3:80': 'up' } as const;
  const down = { '10.0.0.2:80': 'down', '10.0.0.3:80': 'up' } as const;
  for (const quiescent of [false, true]) {
    const cfg = config([virtual('10.0.0.1:80', reals, { quiescent })]);
    const t1 = step(cfg, health({ 'tcp:10.0.0.1:80': up }), EMPTY).table;
    const r = step(cfg, health({ 'tcp:10.0.0.1:80': down }), t1);
    if (!quiescent) {
      assert.deepEqual(r.events.map((e) => e.message), ['Deleted real server: 10.0.0.2:80 (10.0.0.1:80)']);
      assert.deepEqual(r.ops.map((o) => opArgs(o).join(' ')), ['-d -t 10.0.0.1:80 -r 10.0.0.2:80']);
      assert.deepEqual(dests(r.table, 'tcp:10.0.0.1:80'), { '10.0.0.3:80': d(1) });
    } else {
      assert.deepEqual(r.events.map((e) => e.message), ['Quiescent real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 0)']);
      assert.deepEqual(r.ops.map((o) => opArgs(o).join(' ')), ['-e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 0']);
      assert.deepEqual(dests(r.table, 'tcp:10.0.0.1:80'), { '10.0.0.2:80': d(0), '10.0.0.3:80': d(1) });
      // Still down: already quiescent, nothing to do.
      assert.deepEqual(step(cfg, health({ 'tcp:10.0.0.1:80': down }), r.table).ops, []);
      // Back up: weight and threshold restored.
      const back = step(cfg, health({ 'tcp:10.0.0.1:80': up }), r.table);
      assert.deepEqual(back.events.map((e) => e.message), ['Restored real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 2)']);
      assert.deepEqual(dests(back.table, 'tcp:10.0.0.1:80')['10.0.0.2:80'], d(2, 'gate', 9));
    }
  }
});

test('readdquiescent: a down real missing from the table comes back with weight 0 only when asked', () => {
  const v = virtual('10.0.0.1:80', [real('10.0.0.2', 80)], { quiescent: true });
  const observed: IpvsTable = { services: [{ key: { protocol: 'tcp', family: 'inet', address: '10.0.0.1', port: 80, fwmark: undefined }, scheduler: 'wrr', persistent: undefined, netmask: undefined, ops: false, schedFlags: 0, destinations: [] }] };
  const h = health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'down' } });
  const no = step(config([v]), h, observed);
  assert.deepEqual(no.ops, []);
  assert.deepEqual(no.events, []);
  const yes = step(config([v], { readdquiescent: true }), h, observed);
  assert.deepEqual(yes.ops.map((o) => opArgs(o).join(' ')), ['-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 0']);
  assert.equal(yes.events[0]!.message, 'Readd Quiescent real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 0)');
  assert.equal(yes.events[0]!.alert, 'Quiescent real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 0)');
});

test('per-virtual quiescent overrides apply to each virtual separately', () => {
  const a = virtual('10.0.0.1:80', [real('10.0.0.2', 80)], { quiescent: true });
  const b = virtual('10.0.0.1:443', [real('10.0.0.2', 443)], { quiescent: false });
  const cfg = config([a, b], { quiescent: false });
  const t1 = step(cfg, health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'up' }, 'tcp:10.0.0.1:443': { '10.0.0.2:443': 'up' } }), EMPTY).table;
  const r = step(cfg, health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'down' }, 'tcp:10.0.0.1:443': { '10.0.0.2:443': 'down' } }), t1);
  assert.deepEqual(dests(r.table, 'tcp:10.0.0.1:80'), { '10.0.0.2:80': d(0) });
  assert.deepEqual(dests(r.table, 'tcp:10.0.0.1:443'), {});
});

test('fallback on when no real is up, off when one is; fallbackcommand start/stop once each', () => {
  const v = virtual('10.0.0.1:80', [real('10.0.0.2', 80), real('10.0.0.3', 80)], {
    fallback: fallback('127.0.0.1', 80), fallbackcommand: '/usr/local/bin/fb --flag',
  });
  const cfg = config([v]);
  const allDown = health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'down', '10.0.0.3:80': 'down' } });
  const r1 = step(cfg, allDown, EMPTY);
  assert.deepEqual(dests(r1.table, 'tcp:10.0.0.1:80'), { '127.0.0.1:80': d(1) });
  assert.ok(r1.events.some((e) => e.message === 'Added fallback server: 127.0.0.1:80 (10.0.0.1:80) (Weight set to 1)'));
  assert.deepEqual(r1.fallbackCommands, [{
    virtualId: 'tcp:10.0.0.1:80', action: 'start',
    commandLine: '/usr/local/bin/fb --flag start 10.0.0.1:80 tcp',
    argv: ['/usr/local/bin/fb', '--flag', 'start', '10.0.0.1:80', 'tcp'],
    viaShell: false,
  }]);
  // IPv6 brackets are shell metacharacters for Perl's system(): ldirectord runs such lines with sh -c.
  const v6 = virtual('[2001:db8::1]:80', [], { fallbackcommand: '/usr/local/bin/fb' });
  assert.equal(planDesiredTable(config([v6]), health({}), EMPTY).fallbackCommands[0]!.viaShell, true);
  // Same state again: no repeated command (do_fallback_command's dedupe).
  const r2 = step(cfg, allDown, r1.table, { fallbackState: r1.fallbackState });
  assert.deepEqual(r2.fallbackCommands, []);
  assert.deepEqual(r2.ops, []);
  // One real up: fallback deleted, stop run.
  const oneUp = health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'up', '10.0.0.3:80': 'down' } });
  const r3 = step(cfg, oneUp, r2.table, { fallbackState: r2.fallbackState });
  assert.deepEqual(dests(r3.table, 'tcp:10.0.0.1:80'), { '10.0.0.2:80': d(1) });
  assert.deepEqual(r3.events.map((e) => e.message), [
    'Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)',
    'Deleted fallback server: 127.0.0.1:80 (10.0.0.1:80)',
  ]);
  assert.deepEqual(r3.fallbackCommands.map((c) => c.action), ['stop']);
});

test('a fallback sharing ip:port with a real never deletes the real', () => {
  const v = virtual('10.0.0.1:80', [real('10.0.0.2', 80, { weight: 5 })], { quiescent: true, fallback: fallback('10.0.0.2', 80) });
  const cfg = config([v]);
  const up = step(cfg, health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'up' } }), EMPTY);
  assert.deepEqual(dests(up.table, 'tcp:10.0.0.1:80'), { '10.0.0.2:80': d(5) });
  assert.ok(!up.events.some((e) => e.kind === 'deleted-fallback'));
  // Down: the fallback (weight 1) takes the entry over.
  const down = step(cfg, health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'down' } }), up.table);
  assert.deepEqual(dests(down.table, 'tcp:10.0.0.1:80'), { '10.0.0.2:80': d(1) });
  assert.deepEqual(down.events.map((e) => e.message), ['Restored fallback server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)']);
  // Up again: the real gets its weight back; nothing deleted.
  const again = step(cfg, health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'up' } }), down.table);
  assert.deepEqual(dests(again.table, 'tcp:10.0.0.1:80'), { '10.0.0.2:80': d(5) });
  assert.ok(again.ops.every((o) => o.kind !== 'delete-dest'));
});

test('global fallback on a fwmark virtual gets the fallback address, not "-r :0"', () => {
  const v = virtual(5, [real('10.0.0.2', 0)]);
  const r = step(config([v], { fallback: fallback('10.9.9.9') }), health({ 'fwm:5': { '10.0.0.2:0': 'down' } }), EMPTY);
  assert.deepEqual(r.ops.map((o) => opArgs(o).join(' ')), ['-A -f 5 -s wrr', '-a -f 5 -r 10.9.9.9:0 -g -w 1']);
  assert.ok(r.events.some((e) => e.message === 'Added fallback server: 10.9.9.9:0 (5) (Weight set to 1)'));
});

test('IPv6 virtuals use fallback6 and bracketed addresses in commands and messages', () => {
  const v = virtual('[2001:db8::1]:80', [real('2001:db8::2', 80, { weight: 4 })]);
  const cfg = config([v], { fallback: fallback('10.9.9.9'), fallback6: fallback('2001:db8::99') });
  const down = step(cfg, health({ 'tcp:[2001:db8::1]:80': { '[2001:db8::2]:80': 'down' } }), EMPTY);
  assert.deepEqual(down.ops.map((o) => opArgs(o).join(' ')), ['-A -t [2001:db8::1]:80 -s wrr', '-a -t [2001:db8::1]:80 -r [2001:db8::99]:80 -g -w 1']);
  const up = step(cfg, health({ 'tcp:[2001:db8::1]:80': { '[2001:db8::2]:80': 'up' } }), down.table);
  assert.deepEqual(up.events.map((e) => e.message), [
    'Added real server: [2001:db8::2]:80 ([2001:db8::1]:80) (Weight set to 4)',
    'Deleted fallback server: [2001:db8::99]:80 ([2001:db8::1]:80)',
  ]);
  assert.equal(realKey({ address: '2001:db8::2', port: 80 }), '[2001:db8::2]:80');
  // fwmark IPv6: "-f 6 -6".
  const f6 = step(config([virtual(6, [real('2001:db8::3', 0)], { family: 'inet6' })]), health({ 'fwm6:6': { '[2001:db8::3]:0': 'up' } }), EMPTY);
  assert.deepEqual(f6.ops.map((o) => opArgs(o).join(' ')), ['-A -f 6 -6 -s wrr', '-a -f 6 -6 -r [2001:db8::3]:0 -g -w 1']);
});

test('service flags: -o only for udp, persistence, netmask, schedflags; a change edits the service', () => {
  const u = virtual('10.0.0.1:53', [], { protocol: 'udp', id: 'udp:10.0.0.1:53', ops: true, scheduler: 'sh', schedflags: 'sh-port', persistent: 120, netmask: '255.255.255.0' });
  const t = virtual('10.0.0.1:80', [], { ops: true });
  const r = step(config([u, t]), health({}), EMPTY);
  assert.deepEqual(r.ops.map((o) => opArgs(o).join(' ')), [
    '-A -u 10.0.0.1:53 -s sh -p 120 -M 255.255.255.0 -o -b sh-port',
    '-A -t 10.0.0.1:80 -s wrr',
  ]);
  const changed = step(config([{ ...u, scheduler: 'rr', schedflags: undefined }, t]), health({}), r.table);
  assert.deepEqual(changed.ops.map((o) => opArgs(o).join(' ')), ['-E -u 10.0.0.1:53 -s rr -p 120 -M 255.255.255.0 -o']);
  assert.deepEqual(changed.events.map((e) => e.message), ['Changed virtual server: 10.0.0.1:53']);
});

test('a gate real on another port lands on the virtual port; messages say "mapped from" as ldirectord', () => {
  const v = virtual('10.0.0.1:80', [real('10.0.0.2', 8080)]);
  const up = step(config([v]), health({ 'tcp:10.0.0.1:80': { '10.0.0.2:8080': 'up' } }), EMPTY);
  assert.deepEqual(up.ops.map((o) => opArgs(o).join(' ')).slice(1), ['-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1']);
  const down = step(config([v]), health({ 'tcp:10.0.0.1:80': { '10.0.0.2:8080': 'down' } }), up.table);
  assert.deepEqual(down.events.map((e) => e.message), ['Deleted real server: 10.0.0.2:80 mapped from 10.0.0.2:8080 (10.0.0.1:80)']);
});

test('unknown health (never checked): keep what the table has, never add weight > 0', () => {
  const v = (quiescent: boolean) => virtual('10.0.0.1:80', [real('10.0.0.2', 80, { weight: 3 }), real('10.0.0.3', 80), real('10.0.0.4', 80)], { quiescent, fallback: fallback('10.0.0.9', 80) });
  const key = { protocol: 'tcp', family: 'inet', address: '10.0.0.1', port: 80, fwmark: undefined } as const;
  const observed: IpvsTable = { services: [{ key, scheduler: 'wrr', persistent: undefined, netmask: undefined, ops: false, schedFlags: 0, destinations: [
    { address: '10.0.0.2', port: 80, forward: 'gate', weight: 7, upperThreshold: 0, lowerThreshold: 0 },
    { address: '10.0.0.3', port: 80, forward: 'gate', weight: 0, upperThreshold: 0, lowerThreshold: 0 },
  ] }] };
  const unknown = health({});
  const no = step(config([v(false)]), unknown, observed, { phase: 'start' });
  // .2 adopted as up (weight from the config, as ld_start's forced service_set up); .3 (weight 0) is down: deleted;
  // .4 never checked and absent: not added. A real is up, so no fallback.
  assert.deepEqual(dests(no.table, 'tcp:10.0.0.1:80'), { '10.0.0.2:80': d(3) });
  assert.deepEqual(no.fallbackCommands, []);
  const yes = step(config([v(true)]), unknown, observed, { phase: 'start' });
  assert.deepEqual(dests(yes.table, 'tcp:10.0.0.1:80'), { '10.0.0.2:80': d(3), '10.0.0.3:80': d(0), '10.0.0.4:80': d(0) });
  for (const op of [...no.ops, ...yes.ops]) {
    if (op.kind === 'add-dest') assert.equal(op.dest.weight, 0, 'nothing unchecked is added with traffic');
  }
  // Nothing in the table and nothing checked: the fallback serves.
  const cold = step(config([v(false)]), unknown, EMPTY, { phase: 'start' });
  assert.deepEqual(dests(cold.table, 'tcp:10.0.0.1:80'), { '10.0.0.9:80': d(1) });
});

test('start purges entries the config does not name; running leaves them; dropped virtuals are deleted', () => {
  const v = virtual('10.0.0.1:80', [real('10.0.0.2', 80)], { fallback: fallback('10.0.0.9', 80) });
  const key = (port: number) => ({ protocol: 'tcp', family: 'inet', address: '10.0.0.1', port, fwmark: undefined } as const);
  const dest = (a: string) => ({ address: a, port: 80, forward: 'gate', weight: 1, upperThreshold: 0, lowerThreshold: 0 } as const);
  const observed: IpvsTable = { services: [
    { key: key(80), scheduler: 'wrr', persistent: undefined, netmask: undefined, ops: false, schedFlags: 0, destinations: [dest('10.0.0.2'), dest('10.0.0.77')] },
    { key: key(81), scheduler: 'rr', persistent: undefined, netmask: undefined, ops: false, schedFlags: 0, destinations: [dest('10.0.0.5')] },
    { key: key(82), scheduler: 'rr', persistent: undefined, netmask: undefined, ops: false, schedFlags: 0, destinations: [] },
  ] };
  const h = health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'up' } });
  const start = step(config([v]), h, observed, { phase: 'start', previousVirtualIds: ['tcp:10.0.0.1:80', 'tcp:10.0.0.1:81'] });
  assert.deepEqual(start.events.map((e) => e.message), [
    'Purged real server (start): 10.0.0.77:80 (10.0.0.1:80)',
    'Purged virtual server (start): 10.0.0.1:81',
  ]);
  assert.deepEqual(start.ops.map((o) => opArgs(o).join(' ')), ['-d -t 10.0.0.1:80 -r 10.0.0.77:80', '-D -t 10.0.0.1:81']);
  // tcp:10.0.0.1:82 was never ours: untouched.
  assert.ok(start.table.services.some((s) => s.key.port === 82));
  const running = step(config([v]), h, observed, { phase: 'running' });
  assert.deepEqual(running.ops, []);
});

test('planShutdown: cleanstop purges up reals and the virtual; an active fallback gets its stop command', () => {
  const v = virtual('10.0.0.1:80', [real('10.0.0.2', 80), real('10.0.0.3', 80)], { fallbackcommand: 'fb' });
  const keep = virtual('10.0.0.1:81', [], { cleanstop: false, fallbackcommand: 'fb' });
  const cfg = config([v, keep]);
  const r = step(cfg, health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'up', '10.0.0.3:80': 'down' } }), EMPTY);
  const s = planShutdown(cfg, r.table, r.fallbackState);
  assert.deepEqual(s.deleteServiceIds, ['tcp:10.0.0.1:80']);
  assert.deepEqual(s.events.map((e) => e.message), ['Purged real server (stop): 10.0.0.2:80 (10.0.0.1:80)', 'Purged virtual server (stop): 10.0.0.1:80']);
  assert.deepEqual(s.fallbackCommands.map((c) => c.commandLine), ['fb stop 10.0.0.1:81 tcp']);
});

test('a gate fallback on another port is named by its configured port; its deletion says "mapped from" (ldirectord texts)', () => {
  const v = virtual('10.0.0.1:80', [real('10.0.0.2', 80)], { fallback: fallback('10.0.0.9', 9999) });
  const down = step(config([v]), health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'down' } }), EMPTY);
  assert.deepEqual(dests(down.table, 'tcp:10.0.0.1:80'), { '10.0.0.9:80': d(1) });
  assert.ok(down.events.some((e) => e.message === 'Added fallback server: 10.0.0.9:9999 (10.0.0.1:80) (Weight set to 1)'));
  const up = step(config([v]), health({ 'tcp:10.0.0.1:80': { '10.0.0.2:80': 'up' } }), down.table);
  assert.ok(up.events.some((e) => e.message === 'Deleted fallback server: 10.0.0.9:80 mapped from 10.0.0.9:9999 (10.0.0.1:80)'));
});

test('a virtual with schedflags ipvsadm refuses is reported and left alone; the others are planned', () => {
  const bad = virtual('10.0.0.1:80', [real('10.0.0.2', 80)], { scheduler: 'wrr', schedflags: 'sh-port' });
  const good = virtual('10.0.0.1:81', [real('10.0.0.2', 81)]);
  const r = step(config([bad, good]), health({ 'tcp:10.0.0.1:81': { '10.0.0.2:81': 'up' } }), EMPTY);
  assert.deepEqual(r.problems.map((p) => [p.virtualId, p.code]), [['tcp:10.0.0.1:80', 'IPVS_SCHEDFLAGS_INVALID']]);
  assert.match(r.problems[0]!.message, /^10\.0\.0\.1:80: incompatible scheduler flag `sh-port' \(only valid with scheduler=sh/);
  assert.deepEqual(r.managedServiceIds, ['tcp:10.0.0.1:81']);
  assert.deepEqual(r.table.services.map((s) => serviceId(s.key)), ['tcp:10.0.0.1:81']);
  // Already in the table from an earlier config: kept, even on a reload that lists it as previous.
  const observed = { services: [...r.table.services, { key: { protocol: 'tcp', family: 'inet', address: '10.0.0.1', port: 80, fwmark: undefined }, scheduler: 'wrr', persistent: undefined, netmask: undefined, ops: false, schedFlags: 0, destinations: [] }] } as const;
  const reload = step(config([bad, good]), health({}), observed, { phase: 'start', previousVirtualIds: [bad.id, good.id] });
  assert.ok(!reload.ops.some((o) => o.kind === 'delete-service'));
});
