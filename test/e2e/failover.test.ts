// Privileged end-to-end: the director pair of the seed articles (nginx + keepalived,
// here a Node web server on each director answering with its name, and haldir-vrrp),
// with a client namespace requesting the VIP every 50 ms. The client's outage window
// is measured on each failover and must stay within the VRRP bound plus an allowance
// for the client to follow the gratuitous ARP (ARP_ALLOWANCE_MS).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRoot, rootSkipReason } from '../helpers/netns/lan.js';
import { startHaldir, stopPeer } from '../vrrp/helpers/peers.js';
import type { Peer } from '../vrrp/helpers/peers.js';
import { masterDownMs, skewMs } from '../../src/vrrp/machine.js';
import { clientOutage, createPair, lastAnswer, outageMs, pairCf, sleep, until } from './helpers/pair.js';
import type { CfInstance, Pair } from './helpers/pair.js';

const skip = isRoot() ? false : rootSkipReason;
/** Request timeout (300 ms) + sampling (50 ms) + ARP/GARP processing on the client. */
const ARP_ALLOWANCE_MS = 700;

const base = { version: 3 as const, advertInt: 0.1 };

async function settle(pair: Pair, vip: string, holder: 'a' | 'b'): Promise<void> {
  await until(async () => (await pair.holders(vip)).join() === holder, 5000, `${vip} on ${holder} only`);
}

test('normal failover: SIGKILL and SIGTERM of the master; outage within the VRRP bound + ARP allowance; preemption brings it home', { skip, timeout: 90_000 }, async () => {
  const pair = await createPair('fo');
  try {
    const inst = { ...base, name: 'VI_1', vrid: 71, vips: [pair.vip] };
    const cfA = pairCf('lbA', [], [{ ...inst, priority: 150, state: 'MASTER' }]);
    let pa: Peer = startHaldir(pair.lan, 'a', cfA);
    const pb = startHaldir(pair.lan, 'b', pairCf('lbB', [], [{ ...inst, priority: 100 }]));
    pair.peers.push(pa, pb);
    await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, 8000);
    await settle(pair, pair.vip, 'a');
    const client = pair.client();
    await until(() => lastAnswer(client.samples()) === 'a', 5000, 'client on a');
    await sleep(500);

    // The master dies: SIGKILL (no priority-0 advert) and its link cut at once, so its
    // left-behind VIP and web server cannot keep answering; b waits Master_Down_Interval.
    const killBound = masterDownMs(3, 100, 10) + ARP_ALLOWANCE_MS;
    const killOutage = await clientOutage(client, () => Promise.all([pa.kill('SIGKILL'), pair.lan.setLinkUp('a', false)]), 'b');
    assert.ok(killOutage >= masterDownMs(3, 100, 10) - 100, `the outage (${killOutage} ms) really spans the takeover`);
    assert.ok(killOutage <= killBound, `SIGKILL outage ${killOutage} ms, bound ${killBound.toFixed(0)} ms`);

    // a comes back (link up, daemon restarted: it removes the stale VIP first) and preempts.
    await stopPeer(pa);
    await pair.lan.setLinkUp('a', true);
    const preemptOutage = await clientOutage(
      client,
      async () => {
        pa = startHaldir(pair.lan, 'a', cfA);
        pair.peers.push(pa);
        await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, 8000);
        await settle(pair, pair.vip, 'a');
      },
      'a',
    );
    assert.ok(preemptOutage <= ARP_ALLOWANCE_MS, `preemption outage ${preemptOutage} ms`);

    // SIGTERM: priority 0 advert, b takes over after its skew time only.
    const termBound = skewMs(3, 100, 10) + ARP_ALLOWANCE_MS;
    const termOutage = await clientOutage(client, () => pa.kill('SIGTERM'), 'b');
    assert.ok(termOutage <= termBound, `SIGTERM outage ${termOutage} ms, bound ${termBound.toFixed(0)} ms`);
    assert.deepEqual(await pair.holders(), ['b']);
  } finally {
    await pair.destroy();
  }
});

test('dual master (VI_1 on a, VI_2 on b): a dies, b holds both; a returns, VI_1 goes home (preempt), VI_3 stays (nopreempt)', { skip, timeout: 90_000 }, async () => {
  const pair = await createPair('dm');
  try {
    const vip3 = `${pair.lan.subnet4}.102`;
    const i1 = { ...base, name: 'VI_1', vrid: 81, vips: [pair.vip] };
    const i2 = { ...base, name: 'VI_2', vrid: 82, vips: [pair.vip2] };
    const i3 = { ...base, name: 'VI_3', vrid: 83, vips: [vip3], extra: ['nopreempt = yes'] };
    const onA: CfInstance[] = [{ ...i1, priority: 150, state: 'MASTER' }, { ...i2, priority: 100 }, { ...i3, priority: 150 }];
    const onB: CfInstance[] = [{ ...i1, priority: 100 }, { ...i2, priority: 150, state: 'MASTER' }, { ...i3, priority: 100 }];
    const cfA = pairCf('lbA', [], onA);
    let pa = startHaldir(pair.lan, 'a', cfA);
    pair.peers.push(pa);
    await pa.waitFor(/\(VI_3\) Entering MASTER STATE/, 8000);
    const pb = startHaldir(pair.lan, 'b', pairCf('lbB', [], onB));
    pair.peers.push(pb);
    await pb.waitFor(/\(VI_2\) Entering MASTER STATE/, 8000);
    await settle(pair, pair.vip, 'a');
    await settle(pair, pair.vip2, 'b');
    await settle(pair, vip3, 'a');
    const c1 = pair.client(pair.vip);
    const c2 = pair.client(pair.vip2);
    await until(() => lastAnswer(c1.samples()) === 'a' && lastAnswer(c2.samples()) === 'b', 5000, 'clients on their homes');

    const t0 = Date.now();
    pa.kill('SIGKILL');
    // (A SIGKILLed haldir-vrrp leaves its VIPs on a's interface, as keepalived does.)
    await until(async () => (await pair.holders(pair.vip)).includes('b') && (await pair.holders(vip3)).includes('b'), 5000, 'b holding VI_1 and VI_3');
    await until(() => lastAnswer(c1.samples(), t0) === 'b', 5000, 'VI_1 client on b');
    assert.equal(lastAnswer(c2.samples(), t0), 'b', 'VI_2 untouched');
    assert.ok(outageMs(c2.samples(), t0) <= ARP_ALLOWANCE_MS, 'VI_2 kept serving through the failover');

    await stopPeer(pa);
    const t1 = Date.now();
    pa = startHaldir(pair.lan, 'a', cfA);
    pair.peers.push(pa);
    await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, 8000);
    await settle(pair, pair.vip, 'a');
    await until(() => lastAnswer(c1.samples(), t1) === 'a', 5000, 'VI_1 client back on a');
    // nopreempt: a has the higher priority but leaves b's working VI_3 alone.
    await sleep(1500);
    assert.deepEqual(await pair.holders(vip3), ['b'], 'VI_3 stays on b (nopreempt)');
    assert.deepEqual(await pair.holders(pair.vip2), ['b']);
    assert.equal(pa.lines.filter((l) => /\(VI_3\) Entering MASTER STATE/.test(l.text)).length, 0);
  } finally {
    await pair.destroy();
  }
});

test("track_script like the seed article's check_web: the master's web server dies, priority drops, the VIP moves", { skip, timeout: 90_000 }, async () => {
  const pair = await createPair('tw');
  try {
    const check = [
      '[vrrp_script check_web]',
      // The article's `killall -0 nginx` / curl check, without a shell: is the local web server answering?
      `script = ${process.execPath} -e "require('http').get('http://127.0.0.1:8080/',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"`,
      'interval = 1',
      'timeout = 1',
      'weight = -60',
      'fall = 1',
      'rise = 1',
    ];
    const inst = { ...base, name: 'VI_1', vrid: 91, vips: [pair.vip], extra: ['track_script[] = check_web'] };
    const pa = startHaldir(pair.lan, 'a', pairCf('lbA', [], [{ ...inst, priority: 150, state: 'MASTER' }], check));
    const pb = startHaldir(pair.lan, 'b', pairCf('lbB', [], [{ ...inst, priority: 100 }], check));
    pair.peers.push(pa, pb);
    // haldir beside haldir-vrrp on each director (memory backend), as LVS + keepalived.
    const da = pair.director('a');
    await until(() => da.lines.some((l) => /Added real server: 127\.0\.0\.1:8080/.test(l)), 8000, 'haldir adding the real server');
    await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, 8000);
    await settle(pair, pair.vip, 'a');
    const client = pair.client();
    await until(() => lastAnswer(client.samples()) === 'a', 5000, 'client on a');
    const t0 = performance.now();
    const count = (re: RegExp): number => da.lines.filter((l) => re.test(l)).length;
    const added = /Added real server: 127\.0\.0\.1:8080/;
    pair.killHttp('a');
    // The same failure seen by both daemons: haldir drops the real server, VRRP moves the VIP.
    await until(() => count(/Deleted real server: .*127\.0\.0\.1:8080/) === 1, 5000, 'haldir dropping the dead real server');
    await pa.waitFor(/Script `check_web` now returning 1/, 5000, t0);
    // 150 - 60 = 90 < 100: b preempts, a steps down.
    await pb.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000, t0);
    await pa.waitFor(/\(VI_1\) Entering BACKUP STATE/, 5000, t0);
    await settle(pair, pair.vip, 'b');
    await until(() => lastAnswer(client.samples()) === 'b', 5000, 'client on b');
    // The web server comes back: a's priority is 150 again and it preempts.
    const t1 = performance.now();
    await pair.http('a');
    await until(() => count(added) === 2, 5000, 'haldir adding the real server back');
    await pa.waitFor(/Script `check_web` now returning 0/, 5000, t1);
    await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000, t1);
    await settle(pair, pair.vip, 'a');
  } finally {
    await pair.destroy();
  }
});
