// The pure detector's timelines: hysteresis on every probe, clearing, the ping trigger,
// the advert window, and the yield election. Time comes from ManualClock so the
// timelines are exact and nothing sleeps.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fc } from '../helpers/fuzz.js';
import { decide, detectorParams, describeEvidence, initialDetector } from '../../src/splitbrain/detector.js';
import type { DetectorEvent, DetectorState, Observation } from '../../src/splitbrain/detector.js';
import { losesElection } from '../../src/splitbrain/election.js';
import { ManualClock } from '../../src/runtime/clock.js';

const MAC = '02:00:00:00:00:bb';

/** Feeds observations one per `stepMs` of ManualClock time; returns every event with its time. */
function run(obs: readonly Observation[], stepMs = 1000, start?: DetectorState, t0 = 0): { state: DetectorState; events: { at: number; e: DetectorEvent }[] } {
  const clock = new ManualClock(t0);
  let state = start ?? initialDetector(detectorParams('VI_1', 1000));
  const events: { at: number; e: DetectorEvent }[] = [];
  for (const o of obs) {
    const r = decide(state, o, clock.now());
    state = r.state;
    for (const e of r.events) events.push({ at: clock.now(), e });
    clock.advance(stepMs);
  }
  return { state, events };
}

/** Only the verdicts (detected/resolved), without the probe-now/reannounce hints. */
const verdicts = (evs: { at: number; e: DetectorEvent }[]): string[] =>
  evs.filter((x) => x.e.type === 'detected' || x.e.type === 'resolved').map((x) => `${x.e.type}@${x.at}`);

const master: Observation = { kind: 'local', state: 'MASTER', byTimeout: true };
const arpHit: Observation = { kind: 'arp', vip: '10.0.0.100', foreignMacs: [MAC] };
const arpMiss: Observation = { kind: 'arp', vip: '10.0.0.100', foreignMacs: [] };
const peerMaster: Observation = { kind: 'status', peer: '10.0.0.11:7474', report: { state: 'MASTER', priority: 100, address: '10.0.0.11' } };
const peerBackup: Observation = { kind: 'status', peer: '10.0.0.11:7474', report: { state: 'BACKUP', priority: 100, address: '10.0.0.11' } };

test('one foreign ARP reply does not flip the verdict; two in a row do', () => {
  const one = run([master, arpHit, arpMiss, arpHit, arpMiss]);
  assert.deepEqual(verdicts(one.events), []);
  assert.equal(one.state.active, false);
  const two = run([master, arpHit, arpHit]);
  assert.equal(two.events.length, 1);
  const ev = two.events[0]!;
  assert.equal(ev.at, 2000, 'detected on the second consecutive reply');
  assert.equal(ev.e.type, 'detected');
  if (ev.e.type === 'detected') {
    assert.equal(ev.e.evidence[0]!.probe, 'arp');
    assert.equal(ev.e.evidence[0]!.mac, MAC);
    assert.match(describeEvidence(ev.e.evidence), /ARP probe: 10\.0\.0\.100 is also answered by 02:00:00:00:00:bb/);
  }
});

test('split brain is over only after every probe misses `clear` rounds in a row', () => {
  const r = run([master, arpHit, arpHit, peerMaster, peerMaster, arpMiss, peerBackup, arpHit, arpMiss, arpMiss, peerBackup, peerBackup]);
  const types = r.events.map((x) => `${x.e.type}@${x.at}`);
  // detected at 2000 (ARP); status confirms at 4000 (no new event); the single ARP hit at 7000
  // restarts ARP's clear count; ARP is clear at 9000, status at 10000 -> resolved then.
  assert.deepEqual(types, ['detected@2000', 'resolved@10000']);
  const res = r.events[1]!.e;
  assert.equal(res.type === 'resolved' && res.lastedMs, 8000);
});

test('leaving MASTER resolves at once and forgets partial evidence', () => {
  const r = run([master, arpHit, arpHit, { kind: 'local', state: 'FAULT', byTimeout: false }]);
  assert.deepEqual(r.events.map((x) => x.e.type), ['detected', 'resolved']);
  const res = r.events[1]!.e;
  assert.match(res.type === 'resolved' ? res.reason : '', /left MASTER \(now FAULT\)/);
  // Back as MASTER: one hit left over from before must not count.
  const again = run([master, arpHit, { kind: 'local', state: 'BACKUP', byTimeout: false }, master, arpHit], 1000);
  assert.deepEqual(again.events, []);
});

test('probes are ignored while we are not MASTER (a backup seeing the master is normal)', () => {
  const r = run([{ kind: 'local', state: 'BACKUP', byTimeout: false }, arpHit, arpHit, peerMaster, peerMaster, arpHit]);
  assert.deepEqual(r.events, []);
});

test('status channel: both MASTER for two reads in a row; an unreachable peer is not evidence', () => {
  const unreachable: Observation = { kind: 'status', peer: '10.0.0.11:7474', report: undefined };
  assert.deepEqual(verdicts(run([master, peerMaster, unreachable, peerMaster, unreachable]).events), []);
  const r = run([master, peerMaster, peerMaster]);
  const d = r.events[0]!.e;
  assert.equal(d.type, 'detected');
  if (d.type === 'detected') {
    assert.equal(d.evidence[0]!.peerAddress, '10.0.0.11');
    assert.equal(d.evidence[0]!.peerPriority, 100);
    assert.match(d.evidence[0]!.detail, /peer 10\.0\.0\.11:7474 \(10\.0\.0\.11\) reports MASTER at priority 100/);
  }
});

test('a peer answering ping after an advert timeout triggers one immediate probe per MASTER term', () => {
  const alive: Observation = { kind: 'ping', peer: '10.0.0.11', alive: true };
  const r = run([master, alive, alive, { kind: 'local', state: 'BACKUP', byTimeout: false }, master, alive]);
  assert.deepEqual(r.events.map((x) => `${x.e.type}@${x.at}`), ['probe-now@1000', 'probe-now@5000']);
  // Became MASTER by preemption/start (not timeout): a live peer is expected, nothing to probe.
  assert.deepEqual(run([{ kind: 'local', state: 'MASTER', byTimeout: false }, alive]).events, []);
  // A dead peer is not suspicious.
  assert.deepEqual(run([master, { kind: 'ping', peer: '10.0.0.11', alive: false }]).events, []);
});

test('adverts from another master count once they outlast 3 advert intervals while we stay MASTER', () => {
  const adv: Observation = { kind: 'advert', src: '10.0.0.11', priority: 90 };
  // advert interval 100 ms -> window 300 ms; adverts every 100 ms.
  const p = detectorParams('VI_1', 100);
  assert.equal(p.advertWindowMs, 300);
  const start = decide(initialDetector(p), master, 0).state;
  const short = run([adv, adv, adv], 100, start); // spans 200 ms: a normal election
  assert.deepEqual(short.events, []);
  const long = run([adv, adv, adv, adv, adv], 100, start);
  assert.equal(long.events.length, 1);
  assert.equal(long.events[0]!.at, 300);
  const d = long.events[0]!.e;
  assert.match(d.type === 'detected' ? describeEvidence(d.evidence) : '', /10\.0\.0\.11 keeps advertising VRID as MASTER at priority 90/);
  // Adverts stop: ticks age the run out and the verdict clears after `clear` quiet rounds.
  const tick: Observation = { kind: 'tick' };
  const after = run([tick, tick, tick, tick, tick, tick], 100, long.state, 500);
  assert.deepEqual(after.events.map((x) => x.e.type), ['resolved']);
});

test('a gap longer than the window restarts the advert run', () => {
  const adv: Observation = { kind: 'advert', src: '10.0.0.11', priority: 90 };
  const p = detectorParams('VI_1', 100);
  const start = decide(initialDetector(p), master, 0).state;
  // 200 ms of adverts, a 500 ms silence, 200 ms again: never 300 ms in one run.
  const r = run([adv, adv, adv, { kind: 'tick' }, { kind: 'tick' }, { kind: 'tick' }, { kind: 'tick' }, { kind: 'tick' }, adv, adv, adv], 100, start);
  assert.deepEqual(r.events, []);
});

test('property: no single positive probe result ever declares split brain', () => {
  const obsArb = fc.constantFrom<Observation>(arpMiss, peerBackup, { kind: 'tick' }, { kind: 'ping', peer: 'p', alive: true });
  fc.assert(
    fc.property(fc.array(obsArb, { maxLength: 20 }), fc.integer({ min: 0, max: 20 }), fc.constantFrom(arpHit, peerMaster), (obs, at, positive) => {
      const seq = [master, ...obs];
      seq.splice(Math.min(at, seq.length - 1) + 1, 0, positive);
      return run(seq).events.every((x) => x.e.type !== 'detected');
    }),
  );
});

test('property: detected and resolved strictly alternate, starting with detected', () => {
  const obsArb = fc.constantFrom<Observation>(
    master,
    { kind: 'local', state: 'BACKUP', byTimeout: false },
    arpHit,
    arpMiss,
    peerMaster,
    peerBackup,
    { kind: 'advert', src: '10.0.0.11', priority: 90 },
    { kind: 'tick' },
  );
  fc.assert(
    fc.property(fc.array(obsArb, { maxLength: 60 }), fc.integer({ min: 50, max: 1500 }), (obs, stepMs) => {
      const kinds = run(obs, stepMs).events.map((x) => x.e.type).filter((t) => t === 'detected' || t === 'resolved');
      return kinds.every((k, i) => k === (i % 2 === 0 ? 'detected' : 'resolved'));
    }),
  );
});

test('yield election: lower priority loses, then lower address; exactly one of two loses', () => {
  assert.equal(losesElection({ priority: 100, address: '10.0.0.12' }, { priority: 150, address: '10.0.0.11' }), true);
  assert.equal(losesElection({ priority: 150, address: '10.0.0.11' }, { priority: 100, address: '10.0.0.12' }), false);
  assert.equal(losesElection({ priority: 100, address: '10.0.0.9' }, { priority: 100, address: '10.0.0.10' }), true, 'numeric, not text, order');
  assert.equal(losesElection({ priority: 100, address: 'fe80::2' }, { priority: 100, address: 'fe80:0::10' }), true);
  const contender = fc.record({ priority: fc.integer({ min: 1, max: 255 }), address: fc.ipV4() });
  fc.assert(
    fc.property(contender, contender, (a, b) => {
      if (a.priority === b.priority && a.address === b.address) return true;
      return losesElection(a, b) !== losesElection(b, a);
    }),
  );
});

test('a second holder that goes away before confirmation asks for a re-announcement (the other node yielded first)', () => {
  const r = run([master, arpHit, arpMiss, arpMiss, peerMaster, peerBackup]);
  assert.deepEqual(
    r.events.map((x) => `${x.e.type}@${x.at}`),
    ['reannounce@2000', 'reannounce@5000'],
    'once per vanished holder, not on every quiet round',
  );
  const e = r.events[0]!.e;
  assert.match(e.type === 'reannounce' ? e.reason : '', /10\.0\.0\.100 is no longer answered by 02:00:00:00:00:bb/);
  // A confirmed split brain that clears reports `resolved` (which re-announces) instead.
  const confirmed = run([master, arpHit, arpHit, arpMiss, arpMiss]);
  assert.deepEqual(confirmed.events.map((x) => x.e.type), ['detected', 'resolved']);
});
