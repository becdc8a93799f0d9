// The monitor's reactions on a ManualClock with scripted probe results and a stand-in
// daemon: yield/FAULT and release, never both nodes yielding, GARP on resolve, mail,
// notify_split_brain and script: hooks. (The probes themselves are tested for real in
// probes.test.ts, the whole chain in test/e2e/.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';
import { SplitBrainMonitor } from '../../src/splitbrain/monitor.js';
import type { MonitoredInstance } from '../../src/splitbrain/monitor.js';
import type { PeerStatus, StatusDocument } from '../../src/splitbrain/status-document.js';
import type { VrrpState } from '../../src/vrrp/instance.js';
import type { SplitBrainAction, SplitBrainProbe } from '../../src/vrrp-config/model.js';

const PEER_MAC = '02:00:00:00:00:0b';

interface World {
  clock: ManualClock;
  log: MemoryLogger;
  mon: SplitBrainMonitor;
  state: { v: VrrpState };
  arpMacs: string[];
  peer: { state: string; priority: number; splitBrain?: 'none' | 'detected' | 'yielded'; address?: string } | undefined;
  /** The status channel answers, but fails authentication with this reason. */
  forged?: string;
  holds: boolean[];
  garps: string[];
  alerts: string[];
  runs: string[][];
  probeError?: string;
  arpCalls: number;
  advance(ms: number): Promise<void>;
}

function world(self: { priority: number; address: string }, action: SplitBrainAction, withPeer = true, probes?: SplitBrainProbe[]): World {
  const clock = new ManualClock();
  const log = new MemoryLogger();
  const w = { clock, log, state: { v: 'BACKUP' as VrrpState }, arpMacs: [] as string[], peer: undefined as World['peer'], holds: [] as boolean[], garps: [] as string[], alerts: [] as string[], runs: [] as string[][], arpCalls: 0 } as World;
  const inst: MonitoredInstance = {
    name: 'VI_1',
    vrid: 51,
    family: 4,
    advertIntervalMs: 1000,
    vips: [{ address: '10.0.0.100', dev: 'eth0' }],
    peer: withPeer ? { host: '10.0.0.99', port: 7474 } : undefined,
    action,
    notify: ['/etc/ha.d/sb.sh'],
    garpRepeat: 2,
    probes,
  };
  const doc = (): StatusDocument | undefined =>
    w.peer && { program: 'haldir-vrrp', routerId: 'peer', instances: [{ name: 'VI_1', vrid: 51, family: 4, state: w.peer.state, priority: w.peer.priority, effectivePriority: w.peer.priority, address: w.peer.address ?? '10.0.0.99', splitBrain: w.peer.splitBrain ?? 'none' }] };
  const read = async (): Promise<PeerStatus> => {
    if (w.forged) return { kind: 'unauthenticated', reason: w.forged };
    const d = doc();
    return d ? { kind: 'ok', doc: d } : { kind: 'unreachable', reason: 'ECONNREFUSED' };
  };
  w.mon = new SplitBrainMonitor([inst], {
    clock,
    log,
    duplicate: { probe: async () => (w.arpCalls++, w.probeError ? { foreignMacs: [], error: w.probeError } : { foreignMacs: [...w.arpMacs] }) },
    pinger: { alive: async () => w.peer !== undefined },
    status: { read },
    garp: { announce: async (vip, dev, count) => void w.garps.push(`${vip}@${dev}x${count}`) },
    alert: (_i, verdict, reason) => w.alerts.push(`${verdict}: ${reason}`),
    run: async (argvs) => void w.runs.push(...argvs),
  });
  const setState = (to: VrrpState): void => {
    const from = w.state.v;
    w.state.v = to;
    w.mon.observer.transition?.('VI_1', from, to);
  };
  w.mon.bind({
    view: () => ({ state: w.state.v, effectivePriority: self.priority, address: self.address }),
    holdFault: (_n, hold) => {
      w.holds.push(hold);
      setState(hold ? 'FAULT' : 'BACKUP');
      return true;
    },
  });
  w.advance = async (ms) => {
    for (let t = 0; t < ms; t += 50) {
      clock.advance(50);
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    }
  };
  w.mon.start();
  (w as World & { setState: typeof setState }).setState = setState;
  return w;
}

const becomeMaster = async (w: World): Promise<void> => {
  (w as World & { setState(to: VrrpState): void }).setState('MASTER');
  await w.advance(0);
};

/** We are MASTER, the peer (if given) reports MASTER and answers ARP for the VIP, for two rounds. */
async function induce(w: World, peerPriority?: number): Promise<void> {
  await becomeMaster(w);
  if (peerPriority !== undefined) w.peer = { state: 'MASTER', priority: peerPriority };
  w.arpMacs = [PEER_MAC];
  await w.advance(2100);
}

test('yield: the lower-priority node holds FAULT until the peer adverts are heard again', async () => {
  const w = world({ priority: 100, address: '10.0.0.12' }, { kind: 'yield' });
  await induce(w, 150);
  assert.deepEqual(w.holds, [true], 'yielded once');
  assert.equal(w.state.v, 'FAULT');
  assert.equal(w.mon.status('VI_1')?.phase, 'yielded');
  const msgs = w.log.messages();
  assert.ok(msgs.some((m) => /^\(VI_1\) split brain detected: .*(ARP probe: 10\.0\.0\.100 is also answered by 02:00:00:00:00:0b|status channel: peer 10\.0\.0\.99:7474)/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /\(VI_1\) split brain: yielding to 10\.0\.0\.99 \(priority 150, ours 100\)/.test(m)));
  assert.equal(w.alerts.length, 1);
  assert.match(w.alerts[0]!, /^suspected: \(VI_1\) split brain detected: /);
  assert.deepEqual(w.runs, [['/etc/ha.d/sb.sh', 'VI_1', 'DETECTED']]);
  // VRRP still cut: no adverts, the peer still holds the VIP -> stays yielded (no flapping).
  await w.advance(10_000);
  assert.deepEqual(w.holds, [true]);
  assert.equal(w.alerts.length, 1, 'the yield itself is not reported as resolved');
  // The path heals: the peer's adverts arrive every 100 ms.
  for (let i = 0; i < 30; i++) {
    w.mon.observer.advert?.('VI_1', '10.0.0.99', { version: 3, vrid: 51, priority: 150, intervalCs: 10, addresses: ['10.0.0.100'] });
    await w.advance(100);
  }
  assert.deepEqual(w.holds, [true, false]);
  assert.equal(w.state.v, 'BACKUP');
  assert.match(w.alerts[1]!, /^resolved: \(VI_1\) split brain resolved: the peer's VRRP adverts are heard again; leaving FAULT/);
  assert.deepEqual(w.runs[1], ['/etc/ha.d/sb.sh', 'VI_1', 'RESOLVED']);
  assert.deepEqual(w.garps, [], 'a backup announces nothing');
});

test('yield: the winner keeps the VIPs and re-sends gratuitous ARPs when the split brain clears', async () => {
  const w = world({ priority: 150, address: '10.0.0.11' }, { kind: 'yield' });
  await induce(w, 100);
  assert.deepEqual(w.holds, []);
  assert.ok(w.log.messages().some((m) => /keeping the VIPs; 10\.0\.0\.99 \(priority 100\) would lose the election/.test(m)));
  // The peer yields.
  w.peer = { state: 'FAULT', priority: 100 };
  w.arpMacs = [];
  await w.advance(3000);
  assert.equal(w.mon.status('VI_1')?.phase, 'none');
  assert.deepEqual(w.garps, ['10.0.0.100@eth0x2']);
  assert.ok(w.log.messages().some((m) => m === '(VI_1) split brain resolved: re-sending gratuitous ARPs for 10.0.0.100'));
  assert.equal(w.alerts.filter((a) => a.startsWith('resolved')).length, 1);
});

test('equal priorities: exactly one of the two nodes yields (lower address)', async () => {
  const outcomes: boolean[] = [];
  // The stand-in peer is 10.0.0.99 at priority 100: 10.0.0.11 is lower (yields), .100 higher.
  for (const self of ['10.0.0.11', '10.0.0.100']) {
    const w = world({ priority: 100, address: self }, { kind: 'yield' });
    await induce(w, 100);
    outcomes.push(w.holds.length > 0);
  }
  assert.deepEqual(outcomes, [true, false]);
});

test('yield without the peer priority (ARP evidence only): alert only, with advice', async () => {
  const w = world({ priority: 100, address: '10.0.0.12' }, { kind: 'yield' }, false);
  await induce(w);
  assert.deepEqual(w.holds, []);
  assert.ok(w.log.messages().some((m) => /cannot tell yet which node must yield without the peer's priority; set peer =, status_listen = and status_secret = on both nodes/.test(m)));
  assert.equal(w.mon.status('VI_1')?.phase, 'detected');
  assert.match(w.mon.status('VI_1')?.evidence ?? '', /ARP probe/);
});

test('yield decided late: ARP evidence first, the peer status (priority) a few rounds later', async () => {
  const w = world({ priority: 100, address: '10.0.0.12' }, { kind: 'yield' });
  // the status channel does not answer yet (peer undefined), ARP sees a second holder
  await induce(w);
  assert.deepEqual(w.holds, [], 'nothing to decide on yet');
  assert.ok(w.log.messages().some((m) => /cannot tell yet which node must yield .*waiting for its authenticated status channel/.test(m)));
  // now the peer's status answers: MASTER with a higher priority -> we are the one to yield
  w.peer = { state: 'MASTER', priority: 150 };
  await w.advance(2100);
  assert.deepEqual(w.holds, [true]);
  assert.equal(w.mon.status('VI_1')?.phase, 'yielded');
  assert.equal(w.log.messages().filter((m) => /cannot tell yet/.test(m)).length, 1, 'said once');
});

test('a yielded node whose peer vanished (no ARP answer, status not MASTER) comes back', async () => {
  const w = world({ priority: 100, address: '10.0.0.12' }, { kind: 'yield' });
  await induce(w, 150);
  assert.deepEqual(w.holds, [true]);
  w.peer = undefined;
  w.arpMacs = [];
  await w.advance(3100);
  assert.deepEqual(w.holds, [true, false]);
  assert.ok(w.log.messages().some((m) => /split brain resolved: no other node answers for 10\.0\.0\.100 any more; leaving FAULT/.test(m)));
});

test('script: action runs the command with INSTANCE DETECTED besides the notify hook', async () => {
  const w = world({ priority: 100, address: '10.0.0.12' }, { kind: 'script', command: { raw: '/usr/local/bin/fence --hard', argv: ['/usr/local/bin/fence', '--hard'] } });
  await induce(w);
  assert.deepEqual(w.runs, [
    ['/etc/ha.d/sb.sh', 'VI_1', 'DETECTED'],
    ['/usr/local/bin/fence', '--hard', 'VI_1', 'DETECTED'],
  ]);
  assert.deepEqual(w.holds, []);
  assert.equal(w.mon.status('VI_1')?.action, 'script:/usr/local/bin/fence --hard');
});

test('a healthy master probes but never alarms; a backup does not probe the VIP at all', async () => {
  const w = world({ priority: 150, address: '10.0.0.11' }, { kind: 'alert' });
  w.peer = { state: 'BACKUP', priority: 100 };
  await w.advance(5000);
  await becomeMaster(w);
  await w.advance(10_000);
  assert.deepEqual(w.alerts, []);
  assert.equal(w.log.messages().filter((m) => /split brain/.test(m)).length, 0, w.log.messages().join('\n'));
  // Became MASTER by timeout with the peer answering ping: one immediate probe, no alarm.
  assert.equal(w.log.messages().filter((m) => /answers ping although its adverts timed out: probing the VIPs/.test(m)).length, 1);
  w.mon.stop();
  assert.equal(w.clock.pendingCount, 0, 'stop() leaves no timer behind');
});

test('the winner re-announces as soon as the peer reports it yielded, even without its own evidence', async () => {
  const w = world({ priority: 150, address: '10.0.0.11' }, { kind: 'yield' });
  await becomeMaster(w);
  w.peer = { state: 'BACKUP', priority: 100 };
  await w.advance(2000);
  w.peer = { state: 'FAULT', priority: 100, splitBrain: 'yielded' };
  await w.advance(5000);
  assert.deepEqual(w.garps, ['10.0.0.100@eth0x2'], 'once per yield');
  assert.ok(w.log.messages().some((m) => m === '(VI_1) peer 10.0.0.99:7474 yielded to us: re-sending gratuitous ARPs for 10.0.0.100'));
});

test('a probe that cannot run is logged once with the fix, not every round', async () => {
  const w = world({ priority: 150, address: '10.0.0.11' }, { kind: 'alert' });
  await becomeMaster(w);
  w.probeError = 'cannot run arping (ENOENT); install iputils-arping';
  await w.advance(5000);
  const errs = w.log.lines.filter((l) => /SB-PROBE/.test(l.msg));
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.level, 'warn');
  assert.match(errs[0]!.msg, /SB-PROBE: \(VI_1\) duplicate-address probe of 10\.0\.0\.100 failed: cannot run arping \(ENOENT\); install iputils-arping/);
  w.probeError = undefined;
  await w.advance(2000);
  assert.ok(w.log.messages().includes('(VI_1) duplicate-address probe of 10.0.0.100 works again'));
  assert.deepEqual(w.alerts, [], 'a failing probe is not evidence');
});

test('split_brain_probes: only the configured probes run and count as evidence', async () => {
  // status only: no ARP probe is ever sent, the peer's MASTER report alone detects it
  const st = world({ priority: 150, address: '10.0.0.11' }, { kind: 'alert' }, true, ['status']);
  await becomeMaster(st);
  st.peer = { state: 'MASTER', priority: 100 };
  st.arpMacs = [PEER_MAC];
  await st.advance(3000);
  assert.equal(st.arpCalls, 0, 'arp probe disabled');
  assert.match(st.alerts[0] ?? '', /status channel: peer 10\.0\.0\.99:7474/);
  st.mon.stop();

  // arp only: the peer's status is not read (a MASTER report would not matter), ARP decides
  const arp = world({ priority: 150, address: '10.0.0.11' }, { kind: 'alert' }, true, ['arp']);
  await becomeMaster(arp);
  arp.peer = { state: 'MASTER', priority: 100 };
  await arp.advance(3000);
  assert.deepEqual(arp.alerts, [], 'status evidence ignored when the status probe is off');
  assert.ok(arp.arpCalls > 0);
  arp.arpMacs = [PEER_MAC];
  await arp.advance(2100);
  assert.match(arp.alerts[0] ?? '', /ARP probe: 10\.0\.0\.100 is also answered by 02:00:00:00:00:0b/);
  arp.mon.stop();

  // none: never probes, never alarms, even with every sign of a second master
  const off = world({ priority: 150, address: '10.0.0.11' }, { kind: 'alert' }, true, []);
  await becomeMaster(off);
  off.peer = { state: 'MASTER', priority: 100 };
  off.arpMacs = [PEER_MAC];
  for (let i = 0; i < 30; i++) {
    off.mon.observer.advert?.('VI_1', '10.0.0.99', { version: 3, vrid: 51, priority: 100, intervalCs: 10, addresses: ['10.0.0.100'] });
    await off.advance(100);
  }
  assert.deepEqual(off.alerts, []);
  assert.equal(off.arpCalls, 0);
  off.mon.stop();
});

test('yield needs evidence on the wire: a (signed) status report of a second master alone only alerts', async () => {
  const w = world({ priority: 100, address: '10.0.0.12' }, { kind: 'yield' });
  await becomeMaster(w);
  w.peer = { state: 'MASTER', priority: 200 };
  await w.advance(5000);
  assert.equal(w.mon.status('VI_1')?.phase, 'detected', 'the status channel detects');
  assert.match(w.alerts[0] ?? '', /^suspected: .*status channel: peer 10\.0\.0\.99:7474 \(10\.0\.0\.99\) reports MASTER at priority 200/);
  assert.deepEqual(w.holds, [], 'but never yields on it alone');
  assert.equal(w.state.v, 'MASTER');
  assert.equal(w.log.messages().filter((m) => /seen on the status channel only; not yielding until the duplicate-address probe or the second master's adverts confirm it/.test(m)).length, 1, 'said once');
  // The wire confirms it: another MAC answers for the VIP -> now the lower priority yields.
  w.arpMacs = [PEER_MAC];
  await w.advance(2100);
  assert.deepEqual(w.holds, [true]);
  assert.ok(w.log.messages().some((m) => /split brain: yielding to 10\.0\.0\.99 \(priority 200, ours 100\)/.test(m)));
});

test('an unauthenticated status answer is never evidence, and status -v says so', async () => {
  const w = world({ priority: 100, address: '10.0.0.12' }, { kind: 'yield' }, true, ['status', 'arp']);
  await becomeMaster(w);
  w.peer = { state: 'MASTER', priority: 200 };
  w.forged = 'the answer is not signed (is status_secret set on the peer?)';
  await w.advance(10_000);
  assert.equal(w.mon.status('VI_1')?.phase, 'none');
  assert.deepEqual(w.alerts, []);
  assert.deepEqual(w.holds, []);
  assert.equal(w.mon.status('VI_1')?.channel, 'unauthenticated: the answer is not signed (is status_secret set on the peer?)');
  const warned = w.log.lines.filter((l) => /^SB-STATUS: /.test(l.msg));
  assert.deepEqual(warned.map((l) => [l.level, l.msg]), [['warn', 'SB-STATUS: (VI_1) status channel of peer 10.0.0.99:7474: unauthenticated: the answer is not signed (is status_secret set on the peer?); not used as evidence']], 'logged once');
  // Even with ARP evidence, the forged priority does not decide who yields.
  w.arpMacs = [PEER_MAC];
  await w.advance(3000);
  assert.equal(w.mon.status('VI_1')?.phase, 'detected');
  assert.deepEqual(w.holds, [], 'the peer priority is unknown: alert only');
  w.forged = undefined;
  await w.advance(2100);
  assert.equal(w.mon.status('VI_1')?.channel, 'authenticated');
  assert.ok(w.log.messages().includes('(VI_1) status channel of peer 10.0.0.99:7474: authenticated again'));
});

test('our own document reflected back to us is refused', async () => {
  const w = world({ priority: 100, address: '10.0.0.12' }, { kind: 'alert' }, true, ['status']);
  await becomeMaster(w);
  w.peer = { state: 'MASTER', priority: 100, address: '10.0.0.12' };
  await w.advance(5000);
  assert.deepEqual(w.alerts, []);
  assert.match(w.mon.status('VI_1')?.channel ?? '', /^unauthenticated: the answer describes this node itself/);
});
