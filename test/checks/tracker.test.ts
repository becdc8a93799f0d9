// Tracker timelines: failurecount, ldirectord's exact log lines, transitions, reloads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSubscriber, buildTarget, planChecks } from '../../src/checks/target.js';
import { carryOverHealth, decide, HealthTracker, INITIAL_HEALTH, type Transition } from '../../src/checks/tracker.js';
import { makeReal, makeVirtual } from './fixtures.js';

function sub(failurecount: number, address = '127.0.0.1', vip = '10.0.0.1') {
  const real = makeReal({ address, port: 80 });
  const v = makeVirtual({ address: vip, failurecount, reals: [real] });
  return buildSubscriber(v, real, buildTarget(v, real, 'h'));
}

describe('tracker', () => {
  it('goes down only after failurecount consecutive failures, logging ldirectord lines', () => {
    const s = sub(3);
    const t = new HealthTracker();
    const logs: string[] = [];
    const trans: Transition[] = [];
    const step = (ok: boolean, message = ok ? '200 OK' : '503 Service Unavailable'): void => {
      const d = t.apply(s, { ok, message });
      logs.push(...d.logs);
      if (d.transition) trans.push(d.transition);
    };
    step(true); // comes up (ld_start left it down with failcount 1: reset line)
    step(false);
    step(false);
    step(true); // one success resets
    step(false);
    step(false);
    step(false); // third in a row: down
    step(false); // already down: nothing
    step(true); // back up, and the count is reset
    assert.deepEqual(logs, [
      'Resetting soft failure count: 127.0.0.1:80 (tcp:10.0.0.1:80)',
      'Soft failure real server: 127.0.0.1:80 (tcp:10.0.0.1:80) failure 1/3',
      'Soft failure real server: 127.0.0.1:80 (tcp:10.0.0.1:80) failure 2/3',
      'Resetting soft failure count: 127.0.0.1:80 (tcp:10.0.0.1:80)',
      'Soft failure real server: 127.0.0.1:80 (tcp:10.0.0.1:80) failure 1/3',
      'Soft failure real server: 127.0.0.1:80 (tcp:10.0.0.1:80) failure 2/3',
      'Resetting soft failure count: 127.0.0.1:80 (tcp:10.0.0.1:80)',
    ]);
    assert.deepEqual(trans.map((x) => `${x.state}:${x.message}`), ['up:200 OK', 'down:503 Service Unavailable', 'up:200 OK']);
    assert.equal(trans[0]!.virtualId, 'tcp:10.0.0.1:80');
    assert.equal(trans[0]!.real, '127.0.0.1:80');
  });

  it('failurecount=1 goes down at the first failure, no soft-failure line; recovery logs the reset', () => {
    const s = sub(1, '::1', '::2');
    let h = INITIAL_HEALTH;
    const d1 = decide(h, s, { ok: true, message: 'ok' });
    assert.deepEqual(d1.logs, ['Resetting soft failure count: [::1]:80 (tcp:[::2]:80)'], 'first up after start, as ldirectord logs it');
    h = d1.next;
    const d2 = decide(h, s, { ok: false, message: 'refused' });
    assert.deepEqual(d2.logs, []);
    assert.equal(d2.transition?.state, 'down');
    assert.equal(d2.transition?.real, '[::1]:80');
    const d3 = decide(d2.next, s, { ok: true, message: 'ok' });
    assert.deepEqual(d3.logs, ['Resetting soft failure count: [::1]:80 (tcp:[::2]:80)']);
    assert.equal(d3.transition?.state, 'up');
  });

  it('a real that was never up does not soft-fail, and force (maintenance) skips soft failures', () => {
    const s = sub(5);
    const never = decide(INITIAL_HEALTH, s, { ok: false, message: 'x' });
    assert.equal(never.transition, undefined);
    assert.deepEqual(never.logs, []);
    const up = decide(INITIAL_HEALTH, s, { ok: true, message: 'ok' }).next;
    const forced = decide(up, s, { ok: false, message: 'Server in maintenance', force: true });
    assert.equal(forced.transition?.state, 'down');
    assert.equal(forced.transition?.message, 'Server in maintenance');
    assert.deepEqual(forced.logs, []);
  });

  it('carries health of unchanged reals across a reload, drops changed and removed ones', () => {
    const a = makeReal({ address: '127.0.0.1' });
    const b = makeReal({ address: '127.0.0.2' });
    const v1 = makeVirtual({ reals: [a, b], failurecount: 3 });
    const old = new HealthTracker();
    for (const p of planChecks([v1], 'h')) for (const s of p.subscribers) old.apply(s, { ok: true, message: 'ok' });
    const s1 = planChecks([v1], 'h').flatMap((p) => p.subscribers);
    old.apply(s1[0]!, { ok: false, message: 'x' }); // a: soft failure 1/3
    // reload: a's weight changes (probe unchanged), b's request changes, c is new
    const v2 = makeVirtual({
      failurecount: 3,
      reals: [{ ...a, weight: 5 }, { ...b, request: '/other', ownRequest: true }, makeReal({ address: '127.0.0.3' })],
    });
    const subs = planChecks([v2], 'h').flatMap((p) => p.subscribers);
    const next = carryOverHealth(old, subs);
    assert.deepEqual(next.get(subs[0]!.healthKey), { state: 'up', failcount: 1 });
    assert.deepEqual(next.get(subs[1]!.healthKey), INITIAL_HEALTH);
    assert.deepEqual(next.get(subs[2]!.healthKey), INITIAL_HEALTH);
    assert.equal(next.size, 1);
  });
});
