// Detector behaviours around MASTER terms and evidence: what counts only while we hold
// the VIPs, a repeated MASTER report that is not a new term, the advert run interleaved
// with probe rounds (as the daemon feeds it), how evidence follows the probes while split
// brain lasts, and the texts an operator reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, describeEvidence, detectorParams, initialDetector } from '../../src/splitbrain/detector.js';
import type { DetectorEvent, DetectorState, Observation } from '../../src/splitbrain/detector.js';

/** Feeds observations `stepMs` apart from `t0`; returns the end state and `type@time` of every event. */
function feed(obs: readonly Observation[], stepMs = 1000, start?: DetectorState, t0 = 0) {
  let state = start ?? initialDetector(detectorParams('VI_1', 1000));
  const events: { at: number; e: DetectorEvent }[] = [];
  obs.forEach((o, i) => {
    const r = decide(state, o, t0 + i * stepMs);
    state = r.state;
    for (const e of r.events) events.push({ at: t0 + i * stepMs, e });
  });
  return { state, events, types: events.map((x) => `${x.e.type}@${x.at}`) };
}

const masterByTimeout: Observation = { kind: 'local', state: 'MASTER', byTimeout: true };
const masterAgain: Observation = { kind: 'local', state: 'MASTER', byTimeout: false };
const backup: Observation = { kind: 'local', state: 'BACKUP', byTimeout: false };
const arpHit: Observation = { kind: 'arp', vip: '10.0.0.100', foreignMacs: ['02:00:00:00:00:bb'] };
const arpMiss: Observation = { kind: 'arp', vip: '10.0.0.100', foreignMacs: [] };
const peerMaster: Observation = { kind: 'status', peer: '10.0.0.11:7474', report: { state: 'MASTER', priority: 100, address: '10.0.0.11' } };
const peerBackup: Observation = { kind: 'status', peer: '10.0.0.11:7474', report: { state: 'BACKUP', priority: 100, address: '10.0.0.11' } };
const alive: Observation = { kind: 'ping', peer: '10.0.0.11', alive: true };
const advert: Observation = { kind: 'advert', src: '10.0.0.11', priority: 90 };
const tick: Observation = { kind: 'tick' };

test('a fresh detector holds no verdict and no evidence', () => {
  const s = initialDetector(detectorParams('VI_1', 1000));
  assert.equal(s.active, false);
  assert.deepEqual(s.evidence, []);
  assert.equal(s.local, 'INIT');
});

test('probe results seen as BACKUP do not count towards the next MASTER term', () => {
  for (const seen of [[arpHit, arpHit], [peerMaster, peerMaster]]) {
    const r = feed([backup, ...seen, masterByTimeout]);
    assert.deepEqual(r.types, [], 'no verdict the moment we become MASTER');
    assert.equal(r.state.arp.hits + r.state.status.hits, 0);
  }
  // Adverts of the master we were backing up for are the normal case, not a run.
  const adv = feed([backup, advert, advert, advert, advert, advert, masterByTimeout], 100, initialDetector(detectorParams('VI_1', 100)));
  assert.deepEqual(adv.types, []);
  assert.equal(adv.state.advert, undefined);
});

test('a repeated MASTER report is not a new term: evidence and the ping trigger carry on', () => {
  const r = feed([masterByTimeout, arpHit, masterAgain, arpHit]);
  assert.deepEqual(r.types, ['detected@3000']);
  const p = feed([masterByTimeout, alive, masterAgain, alive, masterByTimeout, alive]);
  assert.deepEqual(p.types, ['probe-now@1000'], 'one immediate probe per MASTER term');
  // The term started by timeout stays one even when the daemon re-reports MASTER.
  const q = feed([masterByTimeout, masterAgain, alive]);
  assert.deepEqual(q.types, ['probe-now@2000']);
});

test('an advert run continues across probe rounds and breaks when another node advertises', () => {
  const p = detectorParams('VI_1', 100); // window 300 ms
  const start = decide(initialDetector(p), masterByTimeout, 0).state;
  const interleaved = feed([advert, tick, advert, tick, advert, tick, advert], 50, start, 100);
  assert.deepEqual(interleaved.types, ['detected@400']);
  const d = interleaved.events[0]!.e;
  assert.equal(d.type === 'detected' && d.evidence[0]!.probe, 'advert');
  assert.match(describeEvidence(d.type === 'detected' ? d.evidence : []), /at priority 90 for 300 ms without the election resolving$/);
  // Two other nodes taking turns: each one's run restarts, so no single run is long enough.
  const other: Observation = { kind: 'advert', src: '10.0.0.12', priority: 90 };
  assert.deepEqual(feed([advert, other, advert, other, advert, other, advert], 100, start, 100).types, []);
  // Silence longer than the window without any probe round in between restarts the run too.
  assert.deepEqual(feed([advert, advert, advert], 100, feed([advert, advert, advert], 100, start, 100).state, 800).types, []);
});

test('advert evidence clears `clear` probe rounds after the adverts stop', () => {
  const p = detectorParams('VI_1', 100);
  const start = decide(initialDetector(p), masterByTimeout, 0).state;
  const run = feed([advert, advert, advert, advert], 100, start, 100); // 100..400: detected at 400
  assert.deepEqual(run.types, ['detected@400']);
  // Rounds every 100 ms: at 500 the last advert is one interval old (still fresh), at 600
  // and 700 it is not: two quiet rounds, so it is over at 700.
  const after = feed([tick, tick, tick, tick], 100, run.state, 500);
  assert.deepEqual(after.types, ['resolved@700']);
  const res = after.events[0]!.e;
  assert.equal(res.type === 'resolved' && res.lastedMs, 300);
});

test('while split brain lasts, evidence follows the probes; one probe clearing is not enough', () => {
  const r = feed([masterByTimeout, arpHit, arpHit, peerMaster, peerMaster]);
  assert.deepEqual(r.types, ['detected@2000']);
  assert.deepEqual(r.state.evidence.map((e) => e.probe), ['arp', 'status'], 'the status channel joins the evidence');
  // ARP goes quiet for one round: still split brain, on the status channel's word.
  const oneMiss = feed([arpMiss], 1000, r.state, 5000);
  assert.deepEqual(oneMiss.types, []);
  assert.deepEqual(oneMiss.state.evidence.map((e) => e.probe), ['status']);
  // With ARP the only witness, its last evidence stands until split brain is over.
  const arpOnly = feed([masterByTimeout, arpHit, arpHit, arpMiss]);
  assert.deepEqual(arpOnly.types, ['detected@2000']);
  assert.deepEqual(arpOnly.state.evidence.map((e) => e.probe), ['arp']);
  // The status channel says BACKUP twice, but ARP still sees the other MAC: not over.
  const stillArp = feed([peerBackup, arpHit, peerBackup, arpHit], 1000, r.state, 5000);
  assert.deepEqual(stillArp.types, []);
  assert.equal(stillArp.state.active, true);
  // Every probe clear: over, and the evidence is dropped.
  const over = feed([arpMiss, peerBackup, arpMiss, peerBackup], 1000, r.state, 5000);
  assert.deepEqual(over.types, ['resolved@8000']);
  assert.deepEqual(over.state.evidence, []);
  assert.equal(over.state.since, undefined);
});

test('operator texts: ND for IPv6 VIPs, every foreign MAC, status evidence and the hints', () => {
  const v6 = feed([masterByTimeout, { kind: 'arp', vip: '2001:db8::100', foreignMacs: ['02:00:00:00:00:bb', '02:00:00:00:00:cc'] }, { kind: 'arp', vip: '2001:db8::100', foreignMacs: ['02:00:00:00:00:bb', '02:00:00:00:00:cc'] }, peerMaster, peerMaster]);
  assert.equal(
    describeEvidence(v6.state.evidence),
    'ND probe: 2001:db8::100 is also answered by 02:00:00:00:00:bb, 02:00:00:00:00:cc; ' +
      'status channel: peer 10.0.0.11:7474 (10.0.0.11) reports MASTER at priority 100',
  );
  assert.deepEqual(v6.state.evidence.map((e) => e.probe), ['arp', 'status']);
  const hints = feed([masterByTimeout, alive, peerMaster, peerBackup]).events.map((x) => (x.e.type === 'probe-now' || x.e.type === 'reannounce' ? x.e.reason : ''));
  assert.deepEqual(hints, ['peer 10.0.0.11 answers ping although its adverts timed out', 'peer 10.0.0.11:7474 no longer reports MASTER']);
});
