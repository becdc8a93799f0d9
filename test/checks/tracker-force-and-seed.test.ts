// Tracker behaviours the timeline tests leave open: maintenance (service_set's force flag),
// steady-state checks, reals found in the IPVS table at start, and snapshot/restore.
// ldirectord's _service_down (L4261) bumps failcount even when forced, and _service_up
// only logs "Resetting soft failure count" when there was a count to reset.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSubscriber, buildTarget } from '../../src/checks/target.js';
import { decide, HealthTracker, INITIAL_HEALTH } from '../../src/checks/tracker.js';
import { makeReal, makeVirtual } from './fixtures.js';

function sub(failurecount: number) {
  const real = makeReal({ address: '127.0.0.9', port: 8080 });
  const v = makeVirtual({ address: '10.0.0.7', failurecount, reals: [real] });
  return buildSubscriber(v, real, buildTarget(v, real, 'h'));
}
const RESET = 'Resetting soft failure count: 127.0.0.9:8080 (tcp:10.0.0.7:80)';
const ok = { ok: true, message: 'ok' };
const maintenance = { ok: false, message: 'Server in maintenance', force: true };

describe('tracker: maintenance, steady state, seeding', () => {
  it('successive good checks of an up real are silent and keep it up', () => {
    const s = sub(3);
    const up = decide(INITIAL_HEALTH, s, ok).next;
    assert.deepEqual(up, { state: 'up', failcount: 0 });
    const again = decide(up, s, ok);
    assert.deepEqual(again.logs, [], 'ldirectord logs the reset only when failcount was non-zero');
    assert.equal(again.transition, undefined);
    assert.deepEqual(again.next, { state: 'up', failcount: 0 });
  });

  it('maintenance takes an up real down at once and counts a failure, so leaving it logs the reset', () => {
    const s = sub(5);
    const up = decide(INITIAL_HEALTH, s, ok).next;
    const forced = decide(up, s, maintenance);
    assert.deepEqual(forced.next, { state: 'down', failcount: 1 });
    assert.equal(forced.transition?.state, 'down');
    // Leaving maintenance: the first good check brings it back and logs the reset.
    const back = decide(forced.next, s, ok);
    assert.deepEqual(back.logs, [RESET]);
    assert.equal(back.transition?.state, 'up');
  });

  it('maintenance of a real that is already down changes nothing visible but the count', () => {
    const s = sub(2);
    const forced = decide({ state: 'down', failcount: 4 }, s, maintenance);
    assert.equal(forced.transition, undefined, 'no second removal from the table');
    assert.deepEqual(forced.logs, []);
    assert.deepEqual(forced.next, { state: 'down', failcount: 5 });
  });

  it('a real seeded up (found in the IPVS table at start) has no count to reset and fails normally', () => {
    const s = sub(2);
    const t = new HealthTracker();
    t.seed(s.healthKey, 'up');
    assert.deepEqual(t.get(s.healthKey), { state: 'up', failcount: 0 });
    const first = t.apply(s, ok);
    assert.deepEqual(first.logs, []);
    assert.equal(first.transition, undefined, 'already up: not added again');
    t.apply(s, { ok: false, message: 'refused' });
    const second = t.apply(s, { ok: false, message: 'refused' });
    assert.equal(second.transition?.state, 'down');
    assert.equal(second.transition?.message, 'refused');
  });

  it('a tracker built from another one\'s entries carries the same health', () => {
    const s = sub(3);
    const t = new HealthTracker();
    t.apply(s, ok);
    t.apply(s, { ok: false, message: 'x' });
    t.seed('other', 'down');
    const copy = new HealthTracker(t.entries());
    assert.equal(copy.size, 2);
    assert.deepEqual(copy.get(s.healthKey), { state: 'up', failcount: 1 });
    assert.deepEqual(copy.get('other'), { state: 'down', failcount: 0 });
    assert.deepEqual([...copy.entries()].map(([k]) => k).sort(), ['other', s.healthKey].sort());
  });
});
