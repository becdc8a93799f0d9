import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fc } from '../helpers/fuzz.js';
import { initialState, masterDownMs, nextWake, skewMs, step } from '../../src/vrrp/machine.js';
import type { Action, MachineEvent, MachineState } from '../../src/vrrp/machine.js';
import { defaultInstanceParams } from '../../src/vrrp/instance.js';
import type { InstanceParams } from '../../src/vrrp/instance.js';
import { routePacket } from '../../src/vrrp/admit.js';
import { encodeAdvert, encodeIpv4Header, passAuthData } from '../../src/vrrp/codec.js';
import type { Advert } from '../../src/vrrp/codec.js';
import { syncFollowers } from '../../src/vrrp/sync-group.js';

function params(p: Partial<InstanceParams> = {}): InstanceParams {
  return defaultInstanceParams({
    name: 'VI_1',
    vrid: 51,
    interface: 'eth0',
    primaryIp: '10.0.0.2',
    vips: [{ address: '10.0.0.100/24' }],
    ...p,
  });
}

/** Drives a machine through time the way the daemon does: ticks at nextWake. */
class Sim {
  s: MachineState;
  now = 0;
  actions: { at: number; a: Action }[] = [];
  constructor(p: InstanceParams) {
    this.s = initialState(p);
  }
  feed(ev: MachineEvent): Action[] {
    const r = step(this.s, ev, this.now);
    this.s = r.state;
    for (const a of r.actions) this.actions.push({ at: this.now, a });
    return r.actions;
  }
  advanceTo(t: number, between?: (now: number) => void): void {
    for (;;) {
      const w = nextWake(this.s);
      if (w === undefined || w > t) break;
      this.now = Math.max(this.now, w);
      this.feed({ type: 'tick' });
      between?.(this.now);
    }
    this.now = t;
  }
  logs(): string[] {
    return this.actions.filter((x) => x.a.type === 'log').map((x) => (x.a as { msg: string }).msg);
  }
  of(type: Action['type']): { at: number; a: Action }[] {
    return this.actions.filter((x) => x.a.type === type);
  }
}

const adv = (priority: number, p: Partial<Advert> = {}): Advert => ({ version: 2, vrid: 51, priority, intervalCs: 100, addresses: ['10.0.0.100'], authType: 0, authData: Buffer.alloc(8), ...p });

test('timer formulas match RFC 3768/5798 and the spec table', () => {
  assert.equal(masterDownMs(2, 100, 100), 3000 + (156 * 1000) / 256); // 3.609 s
  assert.equal(skewMs(2, 100, 100), 609.375);
  assert.equal(masterDownMs(3, 100, 10), 300 + 60.9375); // 0.361 s
  assert.equal(skewMs(3, 100, 10), 60.9375);
});

test('no peer: BACKUP (init) then MASTER after Master_Down_Interval, VIPs set, adverts every interval', () => {
  const m = new Sim(params({ initialState: 'MASTER', priority: 150 }));
  m.feed({ type: 'start' });
  assert.equal(m.s.state, 'BACKUP');
  assert.deepEqual(m.logs(), ['(VI_1) removing VIPs.', '(VI_1) Entering BACKUP STATE (init)']);
  m.advanceTo(3400);
  assert.equal(m.s.state, 'BACKUP');
  m.advanceTo(3500);
  assert.equal(m.s.state, 'MASTER');
  assert.equal(m.s.lastTransition?.at, masterDownMs(2, 150, 100));
  assert.deepEqual(m.logs().slice(2), ['(VI_1) Receive advertisement timeout', '(VI_1) Entering MASTER STATE', '(VI_1) setting VIPs.']);
  assert.ok(m.of('add-vips').length === 1);
  assert.deepEqual(m.of('notify').map((x) => x.a), [
    { type: 'notify', state: 'BACKUP', priority: 150 },
    { type: 'notify', state: 'MASTER', priority: 150 },
  ]);
  m.advanceTo(3500 + 5000);
  // One advert at takeover plus one per second after it.
  assert.equal(m.of('send-advert').length, 6);
  // GARP burst at takeover and again after garp_master_delay (5 s).
  assert.deepEqual(m.of('send-garp').map((x) => Math.round(x.at)), [3414, 8414]);
});

test('owner (priority 255, state MASTER) takes over at once', () => {
  const m = new Sim(params({ initialState: 'MASTER', priority: 255 }));
  m.feed({ type: 'start' });
  assert.equal(m.s.state, 'MASTER');
  assert.equal(m.of('send-advert').length, 1);
});

test('higher-priority peer keeps us BACKUP; its silence makes us MASTER within Master_Down_Interval', () => {
  const m = new Sim(params());
  m.feed({ type: 'start' });
  for (let t = 0; t < 10_000; t += 1000) {
    m.advanceTo(t);
    m.feed({ type: 'advert', src: '10.0.0.3', advert: adv(200) });
  }
  assert.equal(m.s.state, 'BACKUP');
  assert.equal(m.s.masterAddress, '10.0.0.3');
  m.advanceTo(9000 + masterDownMs(2, 100, 100) - 1);
  assert.equal(m.s.state, 'BACKUP');
  m.advanceTo(9000 + masterDownMs(2, 100, 100) + 1);
  assert.equal(m.s.state, 'MASTER');
});

test('MASTER: higher priority advert -> BACKUP with keepalived log lines; lower -> forcing new election', () => {
  const m = new Sim(params({ priority: 150 }));
  m.feed({ type: 'start' });
  m.advanceTo(4000);
  assert.equal(m.s.state, 'MASTER');
  const a1 = m.feed({ type: 'advert', src: '10.0.0.3', advert: adv(100) });
  assert.ok(m.logs().includes('(VI_1) Received advert from 10.0.0.3 with lower priority 100, ours 150, forcing new election'));
  assert.ok(a1.some((a) => a.type === 'send-advert' && a.priority === 150));
  assert.ok(a1.some((a) => a.type === 'send-garp'), 'winner re-announces its VIPs after split brain');
  const before = m.of('send-garp').length;
  m.advanceTo(m.now + 5000);
  assert.equal(m.of('send-garp').length, before + 1, 'and again after garp_master_delay');
  assert.equal(m.s.state, 'MASTER');
  m.feed({ type: 'advert', src: '10.0.0.3', advert: adv(200) });
  assert.equal(m.s.state, 'BACKUP');
  const tail = m.logs().slice(-3);
  assert.deepEqual(tail, [
    '(VI_1) Master received advert from 10.0.0.3 with higher priority 200, ours 150',
    '(VI_1) Entering BACKUP STATE',
    '(VI_1) removing VIPs.',
  ]);
  assert.equal(m.of('remove-vips').length, 2); // at start and now
});

test('equal priority: the higher primary IP wins', () => {
  const m = new Sim(params({ primaryIp: '10.0.0.2' }));
  m.feed({ type: 'start' });
  m.advanceTo(4000);
  m.feed({ type: 'advert', src: '10.0.0.1', advert: adv(100) });
  assert.equal(m.s.state, 'MASTER', 'lower IP with equal priority does not take over');
  m.feed({ type: 'advert', src: '10.0.0.9', advert: adv(100) });
  assert.equal(m.s.state, 'BACKUP');
});

test('priority 0: a backup takes over after Skew_Time; a master answers at once', () => {
  const b = new Sim(params());
  b.feed({ type: 'start' });
  b.advanceTo(1000);
  b.feed({ type: 'advert', src: '10.0.0.3', advert: adv(200) });
  b.advanceTo(2000);
  b.feed({ type: 'advert', src: '10.0.0.3', advert: adv(0) });
  b.advanceTo(2000 + skewMs(2, 100, 100) - 1);
  assert.equal(b.s.state, 'BACKUP');
  b.advanceTo(2000 + skewMs(2, 100, 100) + 1);
  assert.equal(b.s.state, 'MASTER');

  const m = new Sim(params({ priority: 150 }));
  m.feed({ type: 'start' });
  m.advanceTo(4000);
  const acts = m.feed({ type: 'advert', src: '10.0.0.3', advert: adv(0) });
  assert.deepEqual(acts, [{ type: 'send-advert', priority: 150, intervalCs: 100 }]);
});

test('shutdown as MASTER: one priority-0 advert, VIPs removed, notify STOP', () => {
  const m = new Sim(params({ priority: 150 }));
  m.feed({ type: 'start' });
  m.advanceTo(4000);
  const acts = m.feed({ type: 'shutdown' });
  assert.deepEqual(acts[0], { type: 'send-advert', priority: 0, intervalCs: 100 });
  assert.ok(acts.some((a) => a.type === 'remove-vips'));
  assert.ok(acts.some((a) => a.type === 'notify' && a.state === 'STOP'));
  assert.deepEqual(m.logs().slice(-2), ['(VI_1) sent 0 priority', '(VI_1) removing VIPs.']);
  assert.equal(nextWake(m.s), undefined);
});

test('preempt (default): a returning higher-priority node takes over from a lower master', () => {
  const m = new Sim(params({ priority: 150 }));
  m.feed({ type: 'start' });
  // A lower-priority master is advertising; with preemption we ignore it and take over.
  for (let t = 0; t <= 5000; t += 1000) {
    m.advanceTo(t);
    m.feed({ type: 'advert', src: '10.0.0.3', advert: adv(100) });
  }
  assert.equal(m.s.state, 'MASTER');
  assert.ok((m.s.lastTransition?.at ?? 1e9) <= masterDownMs(2, 150, 100) + 1);
  assert.ok(m.logs().includes('(VI_1) received lower priority (100) advert from 10.0.0.3 - discarding'));
});

test('nopreempt: a higher-priority backup leaves a working lower master alone', () => {
  const m = new Sim(params({ priority: 150, preempt: false }));
  m.feed({ type: 'start' });
  for (let t = 0; t <= 20_000; t += 1000) {
    m.advanceTo(t);
    m.feed({ type: 'advert', src: '10.0.0.3', advert: adv(100) });
  }
  assert.equal(m.s.state, 'BACKUP');
});

test('preempt_delay: lower-priority adverts are honoured for the delay, then we preempt', () => {
  const m = new Sim(params({ priority: 150, preemptDelayMs: 10_000 }));
  m.feed({ type: 'start' });
  for (let t = 0; t <= 20_000; t += 1000) {
    m.advanceTo(t);
    if (m.s.state === 'MASTER') break;
    m.feed({ type: 'advert', src: '10.0.0.3', advert: adv(100) });
  }
  assert.equal(m.s.state, 'MASTER');
  const at = m.s.lastTransition!.at;
  assert.ok(at >= 10_000 && at <= 10_000 + masterDownMs(2, 150, 100) + 1, `took over at ${at}`);
});

test('track weights change the advertised priority; weight 0 failure and priority <= 0 mean FAULT', () => {
  const p = params({
    priority: 100,
    trackScripts: [{ name: 'chk_http', weight: -60 }, { name: 'chk_must', weight: 0 }, { name: 'chk_bonus', weight: 20 }],
    trackInterfaces: [{ name: 'eth1', weight: -50 }],
  });
  const m = new Sim(p);
  m.feed({ type: 'start' });
  m.advanceTo(4000);
  assert.equal(m.s.state, 'MASTER');
  assert.equal(m.of('send-advert').at(-1)!.a.type === 'send-advert' && (m.of('send-advert').at(-1)!.a as { priority: number }).priority, 120);
  m.feed({ type: 'track', kind: 'script', name: 'chk_http', ok: false });
  m.advanceTo(5100);
  assert.equal((m.of('send-advert').at(-1)!.a as { priority: number }).priority, 60);
  m.feed({ type: 'track', kind: 'interface', name: 'eth1', ok: false });
  assert.equal(m.s.state, 'MASTER', '100 + 20 - 60 - 50 = 10 > 0');
  m.feed({ type: 'track', kind: 'script', name: 'chk_bonus', ok: false });
  assert.equal(m.s.state, 'FAULT', '100 - 60 - 50 = -10 <= 0');
  assert.ok(m.logs().includes('(VI_1) Entering FAULT STATE'));
  const last = m.actions.filter((x) => x.a.type === 'send-advert').at(-1)!.a as { priority: number };
  assert.equal(last.priority, 0, 'a faulting master resigns with priority 0');
  // Adverts are ignored in FAULT.
  m.feed({ type: 'advert', src: '10.0.0.3', advert: adv(1) });
  assert.equal(m.s.state, 'FAULT');
  m.feed({ type: 'track', kind: 'interface', name: 'eth1', ok: true });
  assert.equal(m.s.state, 'BACKUP');
  m.feed({ type: 'track', kind: 'script', name: 'chk_must', ok: false });
  assert.equal(m.s.state, 'FAULT', 'weight-0 script failure');
});

test('v3: a backup adopts the master interval; v2 drops adverts with another interval', () => {
  const m = new Sim(params({ version: 3, intervalCs: 100 }));
  m.feed({ type: 'start' });
  m.feed({ type: 'advert', src: '10.0.0.3', advert: { version: 3, vrid: 51, priority: 200, intervalCs: 10, addresses: [] } });
  assert.equal(m.s.masterIntervalCs, 10);
  m.advanceTo(masterDownMs(3, 100, 10) + 1);
  assert.equal(m.s.state, 'MASTER', 'Master_Down computed from the adopted 0.1 s interval');

  const v2 = params();
  const bytes = encodeAdvert(adv(200, { intervalCs: 200 }), { family: 4 });
  const r = routePacket([v2], { family: 4, src: '10.0.0.3', dst: '224.0.0.18', ttl: 255, payload: bytes });
  assert.equal(!r.ok && r.reason, 'interval-mismatch');
});

test('auth mismatch is dropped and logged the keepalived way; right password admitted', () => {
  const p = params({ authPass: 'secret' });
  const bad = encodeAdvert(adv(200, { authType: 1, authData: passAuthData('wrong') }), { family: 4 });
  const r = routePacket([p], { family: 4, src: '10.0.0.3', dst: '224.0.0.18', ttl: 255, payload: bad });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'bad-passwd');
  assert.equal(!r.ok && r.log, '(VI_1) received an invalid passwd!');
  const good = encodeAdvert(adv(200, { authType: 1, authData: passAuthData('secret') }), { family: 4 });
  assert.equal(routePacket([p], { family: 4, src: '10.0.0.3', ttl: 255, payload: good }).ok, true);
  const noauth = encodeAdvert(adv(200), { family: 4 });
  assert.equal((routePacket([p], { family: 4, src: '10.0.0.3', ttl: 255, payload: noauth }) as { reason: string }).reason, 'bad-auth-type');
  assert.equal((routePacket([p], { family: 4, src: '10.0.0.3', ttl: 64, payload: good }) as { reason: string }).reason, 'bad-ttl');
  assert.equal((routePacket([params({ vrid: 9 })], { family: 4, src: '10.0.0.3', ttl: 255, payload: good }) as { reason: string }).reason, 'wrong-vrid');
  assert.equal((routePacket([p], { family: 4, src: '10.0.0.2', ttl: 255, payload: good }) as { reason: string }).reason, 'own-packet');
  const uni = params({ authPass: 'secret', unicastPeers: ['10.0.0.7'] });
  assert.equal((routePacket([uni], { family: 4, src: '10.0.0.3', ttl: 255, payload: good }) as { reason: string }).reason, 'not-a-peer');
  assert.equal(routePacket([uni], { family: 4, src: '10.0.0.7', ttl: 64, payload: good }).ok, true, 'unicast peers may be routed');
});

test('sync groups: a member changing on its own drags the others; sync-caused changes do not echo', () => {
  const groups = [{ name: 'G', instances: ['VI_1', 'VI_2', 'VI_3'] }];
  const f = syncFollowers(groups, { instance: 'VI_1', to: 'MASTER', fromSync: false });
  assert.deepEqual(f.map((x) => x.instance), ['VI_2', 'VI_3']);
  assert.deepEqual(f[0]!.event, { type: 'sync', to: 'MASTER' });
  assert.deepEqual(syncFollowers(groups, { instance: 'VI_2', to: 'MASTER', fromSync: true }), []);
  assert.deepEqual(syncFollowers(groups, { instance: 'VI_9', to: 'FAULT', fromSync: false }), []);
  // The machine side: a BACKUP member told to become MASTER does so, marked fromSync.
  const m = new Sim(params({ name: 'VI_2' }));
  m.feed({ type: 'start' });
  const acts = m.feed(f[0]!.event);
  assert.equal(m.s.state, 'MASTER');
  assert.ok(acts.some((a) => a.type === 'transition' && a.fromSync));
  m.feed({ type: 'sync', to: 'FAULT' });
  assert.equal(m.s.state, 'FAULT');
  m.feed({ type: 'sync', to: 'BACKUP' });
  assert.equal(m.s.state, 'BACKUP', 'faulted only by the group, it follows the group out of FAULT');
  const faulty = new Sim(params({ name: 'VI_3', trackScripts: [{ name: 'chk', weight: 0 }] }));
  faulty.feed({ type: 'start' });
  faulty.feed({ type: 'track', kind: 'script', name: 'chk', ok: false });
  assert.equal(faulty.s.state, 'FAULT');
  faulty.feed({ type: 'sync', to: 'MASTER' });
  assert.equal(faulty.s.state, 'FAULT', 'a member faulty itself stays in FAULT');
});

test('reconfigure as MASTER: a VIP change applies without a failover', () => {
  const m = new Sim(params({ priority: 150 }));
  m.feed({ type: 'start' });
  m.advanceTo(4000);
  const acts = m.feed({ type: 'reconfigure', params: params({ priority: 150, vips: [{ address: '10.0.0.101/24' }] }) });
  assert.equal(m.s.state, 'MASTER');
  assert.deepEqual(acts.find((a) => a.type === 'remove-vips'), { type: 'remove-vips', vips: [{ address: '10.0.0.100/24' }] });
  assert.deepEqual(acts.find((a) => a.type === 'add-vips'), { type: 'add-vips', vips: [{ address: '10.0.0.101/24' }] });
  assert.ok(!acts.some((a) => a.type === 'transition'));
});

test('fuzz: malformed, truncated, wrong-VRID, bad-checksum, bad-TTL, bad-password packets never change state or crash', () => {
  const p = params({ authPass: 'secret', priority: 150 });
  const base = encodeAdvert(adv(200, { authType: 1, authData: passAuthData('secret') }), { family: 4 });
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 80 }).map((u) => Buffer.from(u)),
        fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
          const b = Buffer.from(base);
          b[i] ^= x;
          return b;
        }),
        fc.nat(base.length - 1).map((n) => base.subarray(0, n)),
      ),
      fc.constantFrom(255, 255, 64, 1),
      fc.constantFrom('BACKUP', 'MASTER'),
      (payload, ttl, want) => {
        const m = new Sim(p);
        m.feed({ type: 'start' });
        if (want === 'MASTER') m.advanceTo(4000);
        const before = m.s;
        const r = routePacket([p], { family: 4, src: '10.0.0.3', dst: '224.0.0.18', ttl, payload });
        if (r.ok) {
          // Only a packet that is still a valid, authenticated advert may reach the machine.
          assert.equal(ttl, 255);
          assert.equal(r.advert.vrid, 51);
          m.feed({ type: 'advert', src: r.src, advert: r.advert });
        } else {
          assert.equal(m.s, before);
        }
        // And the full IPv4 path never throws.
        routePacket([p], { family: 4, src: '10.0.0.3', payload: Buffer.concat([encodeIpv4Header('10.0.0.3', '224.0.0.18', payload.length), payload]) });
      },
    ),
    { numRuns: 1500 },
  );
});

test('garp_master_refresh: periodic re-announcements while MASTER, none after leaving', () => {
  const m = new Sim(params({ priority: 150, garpMasterDelayMs: 0, garpMasterRepeat: 2, garpMasterRefreshMs: 10_000, garpMasterRefreshRepeat: 1 }));
  m.feed({ type: 'start' });
  m.advanceTo(35_000);
  const g = m.of('send-garp').map((x) => ({ at: Math.round(x.at), count: (x.a as { count: number }).count }));
  assert.deepEqual(g, [
    { at: 3414, count: 2 },
    { at: 13414, count: 1 },
    { at: 23414, count: 1 },
    { at: 33414, count: 1 },
  ]);
  m.feed({ type: 'advert', src: '10.0.0.3', advert: adv(200) });
  assert.equal(m.s.state, 'BACKUP');
  const n = m.of('send-garp').length;
  for (let t = 36_000; t <= 60_000; t += 1000) {
    m.advanceTo(t);
    m.feed({ type: 'advert', src: '10.0.0.3', advert: adv(200) });
  }
  assert.equal(m.s.state, 'BACKUP');
  assert.equal(m.of('send-garp').length, n, 'no refresh after leaving MASTER');
});

test('BACKUP logs "received lower priority ... discarding" only when it discards (keepalived vrrp_state_backup)', () => {
  const m = new Sim(params({ priority: 100 }));
  m.feed({ type: 'start' });
  for (let t = 0; t < 5000; t += 1000) {
    m.advanceTo(t);
    m.feed({ type: 'advert', src: '10.0.0.3', advert: adv(150) });
  }
  assert.equal(m.s.state, 'BACKUP');
  assert.deepEqual(m.logs().filter((l) => /lower priority/.test(l)), [], 'a healthy backup accepting its master logs nothing per advert');
  const a = m.feed({ type: 'advert', src: '10.0.0.4', advert: adv(50) });
  const line = a.find((x) => x.type === 'log');
  assert.deepEqual(line, {
    type: 'log',
    level: 'info',
    msg: '(VI_1) received lower priority (50) advert from 10.0.0.4 - discarding',
    repeat: { reason: 'lower-priority', src: '10.0.0.4', what: 'discarded lower priority adverts', quietMs: 3000 },
  });
  assert.equal(m.s.masterAddress, '10.0.0.3', 'the discarded advert changed nothing');
});

for (const garpMasterDelayMs of [0, 1000, 5000])
test(`MASTER under a lower-priority flood: one reply per source per interval, at most 4 sources, GARP once a second, schedule kept (garp_master_delay ${garpMasterDelayMs} ms)`, () => {
  const m = new Sim(params({ priority: 150, version: 3, intervalCs: 100, garpMasterDelayMs }));
  m.feed({ type: 'start' });
  m.advanceTo(4000);
  assert.equal(m.s.state, 'MASTER');
  const scheduledAt = m.s.advertAt!;
  const sendsBefore = m.of('send-advert').length;
  const garpsBefore = m.of('send-garp').length;
  // 200 pps from one source for 10 s, plus 8 other sources at 10 pps each.
  const start = m.now;
  for (let i = 0; i < 2000; i++) {
    m.advanceTo(start + i * 5);
    m.feed({ type: 'advert', src: '10.0.0.9', advert: adv(99, { version: 3 }) });
    if (i % 20 === 0) for (let k = 0; k < 8; k++) m.feed({ type: 'advert', src: `10.0.1.${k}`, advert: adv(98, { version: 3 }) });
  }
  const replies = m.of('send-advert').slice(sendsBefore);
  const scheduled = replies.filter((x) => (x.at - scheduledAt) % 1000 === 0 && x.at >= scheduledAt);
  assert.ok(scheduled.length >= 9, 'scheduled adverts still go out every interval');
  const extra = replies.length - scheduled.length;
  assert.ok(extra <= 4 * 10 + 4, `${extra} replies in 10 s: at most 4 sources per 1 s interval`);
  assert.ok(extra >= 10, 'the flooding source still gets its one reply per interval');
  const garps = m.of('send-garp').length - garpsBefore;
  assert.ok(garps >= 9 && garps <= 11, `${garps} GARP bursts in 10 s (at most one a second)`);
  assert.equal(m.s.advertAt! % 1000, scheduledAt % 1000, 'replies never move the advert schedule');
  assert.equal(m.s.state, 'MASTER');
});

test('IPv6 and multicast wire checks: hop limit 255 and the VRRP group; unicast peers exempt', () => {
  const v6 = params({ family: 6, version: 3, primaryIp: 'fe80::2', vips: [{ address: 'fd00::100/64' }] });
  const msg = (dst: string) => encodeAdvert({ version: 3, vrid: 51, priority: 255, intervalCs: 100, addresses: ['fd00::100'] }, { family: 6, src: 'fd01::9', dst });
  const pkt = (dst: string, ttl: number) => ({ family: 6 as const, src: 'fd01::9', dst, ttl, payload: msg(dst), checksumVerified: true });
  const r1 = routePacket([v6], pkt('ff02::12', 63), 'ff02::12');
  assert.equal((r1 as { reason: string }).reason, 'bad-ttl');
  assert.equal((r1 as { log: string }).log, '(VI_1) invalid ttl. 63 and expect 255');
  const r2 = routePacket([v6], pkt('fd00::11', 255), 'ff02::12');
  assert.equal((r2 as { reason: string }).reason, 'wrong-destination');
  assert.equal((r2 as { log: string }).log, '(VI_1) advert sent to fd00::11, not to the VRRP group ff02::12 - discarding');
  assert.equal(routePacket([v6], pkt('ff02:0:0::12', 255), 'ff02::12').ok, true, 'addresses compared canonically');
  const uni = { ...v6, unicastPeers: ['fd01::9'] };
  assert.equal(routePacket([uni], pkt('fd00::11', 63), 'ff02::12').ok, true, 'unicast peers may be routed (keepalived)');
  // IPv4: the same group rule.
  const v4 = encodeAdvert(adv(200), { family: 4 });
  assert.equal((routePacket([params()], { family: 4, src: '10.0.0.3', dst: '10.0.0.2', ttl: 255, payload: v4 }, '224.0.0.18') as { reason: string }).reason, 'wrong-destination');
  assert.equal(routePacket([params()], { family: 4, src: '10.0.0.3', dst: '224.0.0.18', ttl: 255, payload: v4 }, '224.0.0.18').ok, true);
});
