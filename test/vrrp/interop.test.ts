// Privileged: haldir-vrrp against keepalived 2.2.7 (and against itself) in network
// namespaces on one bridge. Node "a" starts as the higher-priority master, "b" backs
// it up, "c" is a client that reaches the VIP over HTTP and ping. The VIP must really
// move (ip addr on both sides, the client reaches the right node), within the
// failover bounds the issue sets: SIGKILL 3 x advert_int + skew + 100 ms, SIGTERM
// (priority 0) skew + 100 ms, where skew is the backup's (RFC 3768/5798 6.1).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createLan, isRoot, rootSkipReason } from '../helpers/netns/lan.js';
import type { Lan } from '../helpers/netns/lan.js';
import { hasVip, keepalivedConf, measureFailover, startHaldir, startKeepalived, stopPeer, vrrpCf } from './helpers/peers.js';
import type { InstanceSpec, Peer } from './helpers/peers.js';
import { masterDownMs, skewMs } from '../../src/vrrp/machine.js';

const run = promisify(execFile);
const skip = isRoot() ? false : rootSkipReason;
type Kind = 'haldir' | 'keepalived';

const HTTP_SERVER = "require('http').createServer((q,s)=>s.end(process.argv[1])).listen(8080)";
const HTTP_GET =
  "require('http').get({host:process.argv[1],port:8080,timeout:800},r=>{let b='';r.on('data',d=>b+=d);r.on('end',()=>{process.stdout.write(b)})}).on('error',()=>process.exit(1)).on('timeout',function(){this.destroy()})";

async function httpFromClient(lan: Lan, vip: string): Promise<string> {
  try {
    const r = await lan.exec('c', process.execPath, ['-e', HTTP_GET, vip], { timeoutMs: 3000 });
    return r.stdout;
  } catch {
    return '';
  }
}

async function macOf(lan: Lan, node: string): Promise<string> {
  const r = await lan.exec(node, 'ip', ['-o', 'link', 'show', 'eth0']);
  return /link\/ether ([0-9a-f:]+)/.exec(r.stdout)![1]!;
}

async function clientNeighbourMac(lan: Lan, vip: string): Promise<string | undefined> {
  const r = await lan.exec('c', 'ip', ['neigh', 'show', vip, 'dev', 'eth0']);
  return /lladdr ([0-9a-f:]+)/.exec(r.stdout)?.[1];
}

/**
 * After a takeover the client's existing ARP/ND entry for the VIP must point at the new
 * master's MAC without the client asking: proof the gratuitous ARP / unsolicited NA
 * went out and was right (SPA = TPA = VIP, sender MAC = interface MAC; NA Override).
 */
async function assertClientLearnsMac(lan: Lan, vip: string, node: string): Promise<void> {
  const want = await macOf(lan, node);
  let got: string | undefined;
  for (let i = 0; i < 60 && got !== want; i++) {
    got = await clientNeighbourMac(lan, vip);
    if (got !== want) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(got, want, `the client's neighbour entry for ${vip} should move to ${node}'s MAC (GARP/NA)`);
}

/** The client reaches the VIP and the node answering is `expect` (retries while ARP settles). */
async function assertClientReaches(lan: Lan, vip: string, expect: string): Promise<void> {
  let got = '';
  for (let i = 0; i < 15 && got !== expect; i++) {
    got = await httpFromClient(lan, vip);
    if (got !== expect) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(got, expect, `HTTP client in the third namespace should reach ${vip} on node ${expect}`);
  await lan.exec('c', 'ping', ['-c', '1', '-W', '2', vip]);
}

function lastState(p: Peer): string | undefined {
  const l = [...p.lines].reverse().find((x) => /\(VI_1\) Entering (MASTER|BACKUP|FAULT) STATE/.test(x.text));
  return l && /Entering (\w+) STATE/.exec(l.text)![1];
}

function start(kind: Kind, lan: Lan, node: string, spec: InstanceSpec): Peer {
  return kind === 'haldir' ? startHaldir(lan, node, vrrpCf(spec, `r_${node}`)) : startKeepalived(lan, node, keepalivedConf(spec, `r_${node}`));
}

interface Scenario {
  master: Kind;
  backup: Kind;
  version: 2 | 3;
  advertInt: number;
  unicast?: boolean;
  /** 6: VRRPv3 over IPv6 (adverts from link-local addresses, unsolicited NA). */
  family?: 4 | 6;
  /** Also restart the master after the SIGKILL and check it preempts. */
  preempt?: boolean;
  sigkill?: boolean;
  sigterm?: boolean;
}

async function scenario(sc: Scenario): Promise<void> {
  const lan = await createLan(['a', 'b', 'c'], { label: 'vi' });
  const peers: Peer[] = [];
  const servers = ['a', 'b'].map((n) => lan.spawn(n, process.execPath, ['-e', HTTP_SERVER, n]));
  try {
    const v6 = sc.family === 6;
    const vip = v6 ? lan.nodes.a!.ip6.replace(/::\w+$/, '::100') : `${lan.subnet4}.100`;
    const { a, b } = lan.nodes as Record<'a' | 'b', { ip4: string }>;
    const base = { vrid: 51, version: sc.version, advertInt: sc.advertInt, vips: [v6 ? `${vip}/64` : `${vip}/24`], authPass: sc.version === 2 ? 'secret12' : undefined };
    const specA: InstanceSpec = { ...base, priority: 150, state: 'MASTER', ...(sc.unicast ? { unicastSrc: a.ip4, unicastPeers: [b.ip4] } : {}) };
    const specB: InstanceSpec = { ...base, priority: 100, state: 'BACKUP', ...(sc.unicast ? { unicastSrc: b.ip4, unicastPeers: [a.ip4] } : {}) };
    const intervalCs = sc.advertInt * 100;
    const electMs = masterDownMs(sc.version, 150, intervalCs) + 5000;
    let pa = start(sc.master, lan, 'a', specA);
    const pb = start(sc.backup, lan, 'b', specB);
    peers.push(pa, pb);
    await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, electMs);
    await pb.waitFor(/\(VI_1\) Entering BACKUP STATE/, electMs);
    // Give the backup a few adverts so it is settled, then check the VIP and the client.
    await new Promise((r) => setTimeout(r, intervalCs * 10 * 2 + 300));
    // (Either may win the very first election when the other starts later; what counts
    // is where they settle.)
    assert.equal(lastState(pb), 'BACKUP', `${sc.backup} must be BACKUP while ${sc.master} advertises`);
    assert.equal(lastState(pa), 'MASTER');
    assert.equal(await hasVip(lan, 'a', vip, true), true, 'VIP on the master');
    assert.equal(await hasVip(lan, 'b', vip, false), false, 'VIP not on the backup');
    await assertClientReaches(lan, vip, 'a');

    if (sc.sigkill) {
      const took = await measureFailover(pa, pb, 'SIGKILL', electMs);
      const bound = masterDownMs(sc.version, 100, intervalCs) + 100;
      assert.ok(took <= bound, `SIGKILL failover took ${took.toFixed(0)} ms, bound ${bound.toFixed(0)} ms`);
      assert.equal(await hasVip(lan, 'b', vip, true), true, 'the backup took the VIP');
      if (sc.backup === 'haldir') await assertClientLearnsMac(lan, vip, 'b');
      await assertClientReaches(lan, vip, 'b');
      if (sc.preempt) {
        // A SIGKILLed master leaves its VIP behind; the restarted one removes it at start,
        // then preempts the lower-priority master.
        const t2 = performance.now();
        pa = start(sc.master, lan, 'a', specA);
        peers.push(pa);
        await pa.waitFor(/\(VI_1\) Entering BACKUP STATE/, 5000, t2);
        await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, electMs, t2);
        await pb.waitFor(/\(VI_1\) Entering BACKUP STATE/, electMs, t2);
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(await hasVip(lan, 'a', vip, true), true, 'the returning higher-priority node preempted');
        assert.equal(await hasVip(lan, 'b', vip, false), false, 'the preempted node removed the VIP');
        if (sc.master === 'haldir') await assertClientLearnsMac(lan, vip, 'a');
        await assertClientReaches(lan, vip, 'a');
      }
    }
    if (sc.sigterm && (!sc.sigkill || sc.preempt)) {
      const took = await measureFailover(pa, pb, 'SIGTERM', electMs);
      const bound = skewMs(sc.version, 100, intervalCs) + 100;
      assert.ok(took <= bound, `SIGTERM failover took ${took.toFixed(0)} ms, bound ${bound.toFixed(0)} ms`);
      assert.equal(await hasVip(lan, 'a', vip, false), false, 'a stopping master removes its VIP');
      assert.equal(await hasVip(lan, 'b', vip, true), true);
      await assertClientReaches(lan, vip, 'b');
    }
  } finally {
    for (const p of peers) await stopPeer(p);
    for (const s of servers) s.kill('SIGKILL');
    await lan.destroy();
  }
}

test('v2 multicast: haldir master, keepalived backup: SIGKILL failover, preemption, SIGTERM', { skip }, async () => {
  await scenario({ master: 'haldir', backup: 'keepalived', version: 2, advertInt: 1, sigkill: true, preempt: true, sigterm: true });
});

test('v2 multicast: keepalived master, haldir backup: SIGKILL failover, preemption, SIGTERM', { skip }, async () => {
  await scenario({ master: 'keepalived', backup: 'haldir', version: 2, advertInt: 1, sigkill: true, preempt: true, sigterm: true });
});

test('v3 advert_int 0.1 multicast: haldir master, keepalived backup', { skip }, async () => {
  await scenario({ master: 'haldir', backup: 'keepalived', version: 3, advertInt: 0.1, sigkill: true, preempt: true, sigterm: true });
});

test('v3 advert_int 0.1 multicast: keepalived master, haldir backup', { skip }, async () => {
  await scenario({ master: 'keepalived', backup: 'haldir', version: 3, advertInt: 0.1, sigkill: true, preempt: true, sigterm: true });
});

test('v3 IPv6 advert_int 0.1: haldir master, keepalived backup (unsolicited NA moves the client)', { skip }, async () => {
  await scenario({ master: 'haldir', backup: 'keepalived', version: 3, advertInt: 0.1, family: 6, sigkill: true, preempt: true, sigterm: true });
});

test('v3 IPv6 advert_int 0.1: keepalived master, haldir backup', { skip }, async () => {
  await scenario({ master: 'keepalived', backup: 'haldir', version: 3, advertInt: 0.1, family: 6, sigkill: true, sigterm: false });
});

test('v2 unicast peers: haldir master, keepalived backup (SIGTERM)', { skip }, async () => {
  await scenario({ master: 'haldir', backup: 'keepalived', version: 2, advertInt: 1, unicast: true, sigterm: true });
});

test('v3 unicast peers: keepalived master, haldir backup (SIGKILL)', { skip }, async () => {
  await scenario({ master: 'keepalived', backup: 'haldir', version: 3, advertInt: 0.1, unicast: true, sigkill: true });
});

test('two haldir-vrrp nodes, v3 0.1: SIGKILL, preemption, SIGTERM', { skip }, async () => {
  await scenario({ master: 'haldir', backup: 'haldir', version: 3, advertInt: 0.1, sigkill: true, preempt: true, sigterm: true });
});

test('two haldir-vrrp nodes, v2 unicast: SIGTERM', { skip }, async () => {
  await scenario({ master: 'haldir', backup: 'haldir', version: 2, advertInt: 1, unicast: true, sigterm: true });
});

test('auth mismatch: adverts with the wrong password are ignored and logged', { skip }, async () => {
  const lan = await createLan(['a', 'b'], { label: 'vu' });
  const peers: Peer[] = [];
  try {
    const vip = `${lan.subnet4}.100`;
    const spec = { vrid: 52, version: 2 as const, advertInt: 1, vips: [`${vip}/24`] };
    const k = startKeepalived(lan, 'a', keepalivedConf({ ...spec, priority: 150, state: 'MASTER', authPass: 'secret12' }, 'ka'));
    const h = startHaldir(lan, 'b', vrrpCf({ ...spec, priority: 100, authPass: 'wrongpw' }, 'hb'));
    peers.push(k, h);
    await k.waitFor(/Entering MASTER STATE/, 8000);
    await h.waitFor(/\(VI_1\) received an invalid passwd!/, 8000);
    // The ignored adverts do not hold haldir back: it becomes MASTER too (split brain by config).
    await h.waitFor(/\(VI_1\) Entering MASTER STATE/, 8000);
    assert.equal(await hasVip(lan, 'b', vip, true), true);
    assert.equal(h.has(/Master received advert/), false, 'a bad-password advert never changes state');
  } finally {
    for (const p of peers) await stopPeer(p);
    await lan.destroy();
  }
});

test('nopreempt: a higher-priority haldir leaves a working keepalived master alone', { skip }, async () => {
  const lan = await createLan(['a', 'b'], { label: 'vn' });
  const peers: Peer[] = [];
  try {
    const vip = `${lan.subnet4}.100`;
    const spec = { vrid: 53, version: 3 as const, advertInt: 0.1, vips: [`${vip}/24`] };
    const k = startKeepalived(lan, 'a', keepalivedConf({ ...spec, priority: 100, state: 'MASTER' }, 'ka'));
    peers.push(k);
    await k.waitFor(/Entering MASTER STATE/, 5000);
    const h = startHaldir(lan, 'b', vrrpCf({ ...spec, priority: 150, state: 'BACKUP', nopreempt: true }, 'hb'));
    peers.push(h);
    await h.waitFor(/\(VI_1\) Entering BACKUP STATE/, 5000);
    await new Promise((r) => setTimeout(r, 2000)); // 20 advert intervals
    assert.equal(h.has(/Entering MASTER STATE/), false, 'nopreempt: no takeover from a working master');
    assert.equal(await hasVip(lan, 'a', vip, true), true);
    assert.equal(await hasVip(lan, 'b', vip, false), false);
    // ...but it still takes over when the master goes away.
    const t0 = performance.now();
    k.kill('SIGTERM');
    await h.waitFor(/\(VI_1\) Entering MASTER STATE/, 2000, t0);
  } finally {
    for (const p of peers) await stopPeer(p);
    await lan.destroy();
  }
});

test('status -v reports state, priority, master and last transition over the control socket', { skip }, async () => {
  const lan = await createLan(['a'], { label: 'vs' });
  let h: Peer | undefined;
  try {
    const spec = { vrid: 54, version: 3 as const, advertInt: 0.1, vips: [`${lan.subnet4}.100/24`], priority: 120 };
    h = startHaldir(lan, 'a', vrrpCf(spec, 'ha'));
    await h.waitFor(/Entering MASTER STATE/, 5000);
    const cli = new URL('../../src/cli/haldir-vrrp.js', import.meta.url).pathname;
    const r = await run('ip', ['netns', 'exec', lan.nodes.a!.ns, process.execPath, cli, '--pidfile', `${h.dir}/haldir-vrrp.pid`, `${h.dir}/vrrp.cf`, 'status', '-v']);
    assert.match(r.stdout, /is running with pid: \d+/);
    assert.match(r.stdout, /VI_1\s+MASTER\s+120\s+120\s+54\s+eth0\s+\S+\s+BACKUP->MASTER \d{4}-/);
  } finally {
    await stopPeer(h);
    await lan.destroy();
  }
});

test('split brain healed: the haldir winner re-announces its VIP so the client follows (keepalived #166)', { skip }, async () => {
  const lan = await createLan(['a', 'b', 'c'], { label: 'vh' });
  const peers: Peer[] = [];
  const servers = ['a', 'b'].map((n) => lan.spawn(n, process.execPath, ['-e', HTTP_SERVER, n]));
  // A filter on the bridge (a's port is p1): adverts lost in one or both directions.
  const nft = (...args: string[]) => run('ip', ['netns', 'exec', lan.bridgeNs, 'nft', ...args]);
  try {
    await nft('add', 'table', 'bridge', 'sb');
    await nft('add', 'chain', 'bridge', 'sb', 'vrrpcut', '{ type filter hook forward priority 0; policy accept; }');
    const vip = `${lan.subnet4}.100`;
    const spec = { vrid: 57, version: 3 as const, advertInt: 0.1, vips: [`${vip}/24`] };
    const h = startHaldir(lan, 'a', vrrpCf({ ...spec, priority: 150, state: 'MASTER' }, 'ha'));
    const k = startKeepalived(lan, 'b', keepalivedConf({ ...spec, priority: 100 }, 'kb'));
    peers.push(h, k);
    await h.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(lastState(k), 'BACKUP');
    await assertClientReaches(lan, vip, 'a');
    // a cut off both ways (link still up): keepalived takes over, haldir stays MASTER.
    let t = performance.now();
    await nft('add', 'rule', 'bridge', 'sb', 'vrrpcut', 'iifname', 'p1', 'drop', ';', 'add', 'rule', 'bridge', 'sb', 'vrrpcut', 'oifname', 'p1', 'drop');
    await k.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000, t);
    await assertClientLearnsMac(lan, vip, 'b');
    assert.equal(lastState(h), 'MASTER', 'both are MASTER: split brain');
    // Healing, first one way: haldir hears the lower-priority master and forces an election...
    t = performance.now();
    // One nft transaction (commands joined by ';'): as two commands, an advert from a
    // could pass in the gap between them and end the split brain early.
    await nft('flush', 'chain', 'bridge', 'sb', 'vrrpcut', ';', 'add', 'rule', 'bridge', 'sb', 'vrrpcut', 'iifname', 'p1', 'drop');
    await h.waitFor(/\(VI_1\) Received advert from \S+ with lower priority 100, ours 150, forcing new election/, 3000, t);
    // ...then fully: keepalived yields, and haldir's follow-up GARP burst moves the client.
    t = performance.now();
    await nft('flush', 'chain', 'bridge', 'sb', 'vrrpcut');
    await k.waitFor(/\(VI_1\) Entering BACKUP STATE/, 3000, t);
    assert.equal(await hasVip(lan, 'b', vip, false), false);
    await assertClientLearnsMac(lan, vip, 'a');
    await assertClientReaches(lan, vip, 'a');
  } finally {
    for (const p of peers) await stopPeer(p);
    for (const s of servers) s.kill('SIGKILL');
    await lan.destroy();
  }
});
