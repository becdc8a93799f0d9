// haldir-vrrp under hostile or broken traffic, in network namespaces (root):
//  - a flood of junk and lower-priority adverts must not silence the master: its
//    scheduled adverts keep their interval, its replies and GARPs are rate-limited,
//    it starts no process, the backup stays BACKUP;
//  - an advert from off the link (routed: hop limit < 255) or sent to the master's own
//    address instead of the VRRP group is dropped (RFC 5798 5.1.1.2, 7.1), and counted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { createLan, isRoot, rootSkipReason } from '../helpers/netns/lan.js';
import type { Lan } from '../helpers/netns/lan.js';
import { hasVip, startHaldir, stopPeer, vrrpCf } from './helpers/peers.js';
import type { Peer } from './helpers/peers.js';
import type { Captured, WireSpec } from './helpers/wire.js';

const run = promisify(execFile);
const skip = isRoot() ? false : rootSkipReason;
const WIRE = new URL('./helpers/wire.js', import.meta.url).pathname;

async function wire<T>(lan: Lan, node: string, spec: WireSpec, timeoutMs: number): Promise<T> {
  const r = await lan.exec(node, process.execPath, [WIRE, JSON.stringify(spec)], { timeoutMs });
  return JSON.parse(r.stdout) as T;
}

async function waitUntil(what: string, ms: number, ok: () => Promise<boolean> | boolean): Promise<void> {
  const end = performance.now() + ms;
  while (!(await ok())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lastState = (p: Peer): string | undefined =>
  [...p.lines].reverse().map((l) => /Entering (MASTER|BACKUP|FAULT) STATE/.exec(l.text)?.[1]).find((s) => s !== undefined);

async function statusDrops(lan: Lan, node: string, h: Peer): Promise<string> {
  const cli = new URL('../../src/cli/haldir-vrrp.js', import.meta.url).pathname;
  const r = await run('ip', ['netns', 'exec', lan.nodes[node]!.ns, process.execPath, cli, '--pidfile', `${h.dir}/haldir-vrrp.pid`, `${h.dir}/vrrp.cf`, 'status', '-v']);
  return r.stdout;
}

test('advert flood: 1,000 pps of junk and 200 pps of lower-priority adverts do not silence the master', { skip }, async () => {
  const lan = await createLan(['a', 'b', 'x'], { label: 'vf' });
  const peers: Peer[] = [];
  try {
    const vip = `${lan.subnet4}.100`;
    const spec = { vrid: 61, version: 3 as const, advertInt: 1, vips: [`${vip}/24`] };
    const a = startHaldir(lan, 'a', vrrpCf({ ...spec, priority: 150, state: 'MASTER' }, 'ha'));
    peers.push(a);
    await a.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000);
    const b = startHaldir(lan, 'b', vrrpCf({ ...spec, priority: 100, state: 'BACKUP' }, 'hb'));
    peers.push(b);
    await b.waitFor(/\(VI_1\) Entering BACKUP STATE/, 10_000);
    await new Promise((r) => setTimeout(r, 1500)); // b hears a few adverts
    assert.equal(lastState(b), 'BACKUP');

    const x = lan.nodes.x!;
    const floodMs = 10_000;
    const t0 = performance.now();
    const captured = wire<Captured[]>(lan, 'x', { mode: 'capture', family: 4, ifname: 'eth0', src: x.ip4, ms: floodMs + 2500 }, 60_000);
    const lower = { version: 3 as const, vrid: 61, priority: 99, intervalCs: 100, addresses: [vip] };
    // Meanwhile: the processes a starts (an arping per packet would show up here).
    const kids = async (pid: number): Promise<number[]> =>
      (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean).map(Number);
    const tree = async (pid: number): Promise<number> => {
      let n = 0;
      for (const k of await kids(pid)) n += 1 + (await tree(k));
      return n;
    };
    const baseline = await tree(a.proc.pid!); // `ip netns exec` and haldir-vrrp itself
    let children = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        children = Math.max(children, (await tree(a.proc.pid!)) - baseline);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const sent = await wire<number[]>(
      lan,
      'x',
      {
        mode: 'send',
        family: 4,
        ifname: 'eth0',
        src: x.ip4,
        streams: [
          { dst: '224.0.0.18', ttl: 255, pps: 1000, count: floodMs },
          { dst: '224.0.0.18', ttl: 255, pps: 200, count: (floodMs / 1000) * 200, advert: lower },
        ],
      },
      60_000,
    );
    sampling = false;
    await sampler;
    assert.equal(children, 0, 'a started processes while flooded');
    const seen = (await captured).filter((c) => c.src === lan.nodes.a!.ip4 && c.vrid === 61 && c.ts !== undefined);
    const tFlood = performance.now() - t0;
    assert.ok(sent[1]! >= 1000, `the generator sent ${sent.join('/')} packets`);

    // Every gap between two of a's adverts stays within the interval + 10%: a reply
    // advert may shorten one, nothing may stretch one (kernel receive timestamps).
    const ts = seen.map((c) => c.ts!).sort((p, q) => p - q);
    assert.ok(ts.length >= 9, `a sent only ${ts.length} adverts in ${tFlood.toFixed(0)} ms of flood`);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    assert.ok(Math.max(...gaps) <= 1100, `a's adverts must keep their 1 s interval within 10%: gaps ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`);
    // Replies are rate-limited: one per source per interval at most, not one per advert.
    const span = (ts[ts.length - 1]! - ts[0]!) / 1000;
    assert.ok(ts.length <= 2 * (span + 1) + 1, `a sent ${ts.length} adverts in ${span.toFixed(1)} s: replies are not rate-limited`);
    assert.equal(lastState(b), 'BACKUP', 'b must stay BACKUP while a advertises');
    assert.ok(!b.lines.some((l) => l.at >= t0 && /Entering MASTER STATE/.test(l.text)), 'b became MASTER during the flood');
    assert.equal(await hasVip(lan, 'b', vip), false, 'the VIP is not on b');
    assert.equal(await hasVip(lan, 'a', vip), true, 'the VIP stays on a');

    // Bounded side effects and log: GARP at most once a second, forced-election lines
    // throttled (first line + summaries), none of it per packet.
    const aLines = a.lines.filter((l) => l.at >= t0);
    const garps = aLines.filter((l) => /Sending\/queueing gratuitous ARPs/.test(l.text)).length;
    assert.ok(garps <= Math.ceil(tFlood / 1000) + 2, `${garps} GARP bursts in ${tFlood.toFixed(0)} ms`);
    const forced = aLines.filter((l) => /forcing new election/.test(l.text)).length;
    assert.ok(forced >= 1 && forced <= 3, `${forced} "forcing new election" lines (expected the first of each 10 s)`);
    assert.ok(aLines.length <= 40, `a logged ${aLines.length} lines during the flood:\n${aLines.slice(0, 50).map((l) => l.text).join('\n')}`);
    const status = await statusDrops(lan, 'a', a);
    const lowerCount = Number(/lower-priority=(\d+)/.exec(status)?.[1] ?? 0);
    assert.ok(lowerCount >= sent[1]! * 0.9, `status -v counts the lower-priority adverts exactly (${lowerCount} of ${sent[1]} sent): ${status}`);
  } finally {
    for (const p of peers) await stopPeer(p);
    await lan.destroy();
  }
});

test('IPv6: adverts from off the link (hop limit 63) or not sent to ff02::12 are dropped; an on-link one is obeyed', { skip }, async () => {
  const lan = await createLan(['a', 'r'], { label: 'vo' });
  const z = `${lan.id}-z`;
  let h: Peer | undefined;
  try {
    // z is one routed hop away: z -- r -- LAN (r forwards IPv6, decrementing the hop limit).
    await run('ip', ['netns', 'add', z]);
    const rNs = lan.nodes.r!.ns;
    const net = `fd10:${(process.pid % 0xffff).toString(16)}::`;
    await run('ip', ['link', 'add', 'eth1', 'netns', rNs, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', z]);
    await run('ip', ['-n', rNs, 'addr', 'add', `${net}1/64`, 'dev', 'eth1', 'nodad']);
    await run('ip', ['-n', rNs, 'link', 'set', 'eth1', 'up']);
    await run('ip', ['netns', 'exec', rNs, 'sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1']);
    await run('ip', ['-n', z, 'link', 'set', 'lo', 'up']);
    await run('ip', ['-n', z, 'addr', 'add', `${net}2/64`, 'dev', 'eth0', 'nodad']);
    await run('ip', ['-n', z, 'link', 'set', 'eth0', 'up']);
    await run('ip', ['-n', z, 'route', 'add', 'default', 'via', `${net}1`]);

    const a = lan.nodes.a!;
    const vip = a.ip6.replace(/::\w+$/, '::100');
    h = startHaldir(lan, 'a', vrrpCf({ vrid: 62, version: 3, advertInt: 1, vips: [`${vip}/64`], priority: 150, state: 'MASTER' }, 'ha'));
    await h.waitFor(/\(VI_1\) Entering MASTER STATE/, 10_000);
    assert.equal(await hasVip(lan, 'a', vip, true), true);

    const owner = { version: 3 as const, vrid: 62, priority: 255, intervalCs: 100, addresses: [vip] };
    // From z, two hops away: hop limit 64 on sending, 63 on arrival at a.
    const off = await run('ip', ['netns', 'exec', z, process.execPath, WIRE, JSON.stringify({ mode: 'send', family: 6, ifname: 'eth0', src: `${net}2`, streams: [{ dst: a.ip6, ttl: 64, pps: 1, count: 4, advert: owner }] } satisfies WireSpec)], { timeout: 30_000 });
    assert.deepEqual(JSON.parse(off.stdout), [4]);
    // From r, on the link but to a's own address instead of the VRRP group.
    const uni = await wire<number[]>(lan, 'r', { mode: 'send', family: 6, ifname: 'eth0', src: lan.nodes.r!.ip6, streams: [{ dst: a.ip6, ttl: 255, pps: 2, count: 3, advert: owner }] }, 30_000);
    assert.deepEqual(uni, [3]);
    let status = '';
    await waitUntil('a to count 4 bad-ttl and 3 wrong-destination drops', 10_000, async () => {
      status = await statusDrops(lan, 'a', h!);
      return /bad-ttl=4\b/.test(status) && /wrong-destination=3\b/.test(status);
    });
    assert.equal(lastState(h), 'MASTER', `a must ignore them:\n${h.lines.map((l) => l.text).join('\n')}`);
    assert.ok(!h.has(/higher priority 255/));
    assert.equal(await hasVip(lan, 'a', vip), true, 'a keeps its IPv6 VIP');
    assert.ok(h.has(/\(VI_1\) invalid ttl\. 63 and expect 255/), 'the first bad hop limit is logged in keepalived\'s shape');

    // Control: the same advert on the link to ff02::12 with hop limit 255 is obeyed,
    // so the packets above were valid adverts that only failed the hop/group checks.
    const t1 = performance.now();
    await wire<number[]>(lan, 'r', { mode: 'send', family: 6, ifname: 'eth0', src: lan.nodes.r!.ip6, streams: [{ dst: 'ff02::12', ttl: 255, pps: 1, count: 1, advert: owner }] }, 30_000);
    await h.waitFor(/\(VI_1\) Master received advert from \S+ with higher priority 255, ours 150/, 5000, t1);
    assert.equal(await hasVip(lan, 'a', vip, false), false, 'a gave up its VIP to the on-link owner');
  } finally {
    await stopPeer(h);
    await run('ip', ['netns', 'del', z]).catch(() => undefined);
    await lan.destroy();
  }
});
