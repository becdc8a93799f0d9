import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/runtime/clock.js';
import { LogThrottle } from '../../src/vrrp/log-throttle.js';
import type { RepeatableLine } from '../../src/vrrp/log-throttle.js';

const line = (src: string, reason = 'bad-passwd'): RepeatableLine => ({
  instance: 'VI_1',
  reason,
  src,
  level: 'warn',
  line: `(VI_1) bad thing from ${src}`,
  what: 'adverts with a bad password',
});

test('first line per (instance, reason, source) per window; a summary when the window closes; quiet keys say nothing', () => {
  const clock = new ManualClock();
  const out: string[] = [];
  const t = new LogThrottle(clock, (_l, m) => out.push(m), 10_000, 64);
  t.note(line('10.0.0.1'));
  t.note(line('10.0.0.1'));
  t.note(line('10.0.0.1', 'bad-ttl'));
  t.note({ ...line('10.0.0.1'), what: 'another kind of line' });
  t.note(line('10.0.0.2'));
  assert.deepEqual(out, Array(3).fill('(VI_1) bad thing from 10.0.0.1').concat(['(VI_1) bad thing from 10.0.0.2']));
  clock.advance(9_999);
  assert.equal(out.length, 4);
  clock.advance(1);
  assert.deepEqual(out.slice(4), ['(VI_1) 1 more adverts with a bad password from 10.0.0.1 in the last 10 s']);
  clock.advance(60_000);
  assert.equal(out.length, 5, 'no summary for keys without repeats, no timer left running');
  t.note(line('10.0.0.1'));
  assert.equal(out[5], '(VI_1) bad thing from 10.0.0.1', 'a new window starts with a full line');
});

test('more sources than the table holds share one "other sources" entry (spoofed floods stay bounded)', () => {
  const clock = new ManualClock();
  const out: string[] = [];
  const t = new LogThrottle(clock, (_l, m) => out.push(m), 10_000, 4);
  for (let i = 0; i < 1000; i++) t.note(line(`10.0.${i >> 8}.${i & 255}`));
  assert.equal(out.length, 5, 'four sources plus the first of the rest');
  t.flush();
  assert.deepEqual(out.slice(5), ['(VI_1) 995 more adverts with a bad password from other sources in the last 10 s']);
});

test('with quietMs, a gap in the repeats starts a new episode: the next one is logged in full', () => {
  const clock = new ManualClock();
  const out: string[] = [];
  const t = new LogThrottle(clock, (_l, m) => out.push(m), 10_000, 64);
  const l = { ...line('10.0.0.1'), quietMs: 300 };
  for (let i = 0; i < 10; i++) {
    t.note(l);
    clock.advance(100);
  }
  assert.equal(out.length, 1, 'a steady stream is one line');
  clock.advance(1000);
  t.note(l);
  assert.deepEqual(out.slice(1), ['(VI_1) 9 more adverts with a bad password from 10.0.0.1 in the last 10 s', '(VI_1) bad thing from 10.0.0.1']);
});
