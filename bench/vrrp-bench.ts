// VRRP failover bench: haldir-vrrp and keepalived 2.2.7, each as a master/backup
// pair in the same netns topology, in the same run. For every combination of
// implementation x (v2 advert_int 1 | v3 advert_int 0.1) x (SIGKILL | SIGTERM) it
// elects, signals the master and times the backup's "Entering MASTER STATE" line.
// Run as root: `npx tsc -p . && node dist/bench/vrrp-bench.js [ROUNDS]` (default 3).
// Prints a table; not part of npm test.

import { createLan, isRoot } from '../test/helpers/netns/lan.js';
import { keepalivedConf, measureFailover, startHaldir, startKeepalived, stopPeer, vrrpCf } from '../test/vrrp/helpers/peers.js';
import type { InstanceSpec, Peer } from '../test/vrrp/helpers/peers.js';
import { masterDownMs, skewMs } from '../src/vrrp/machine.js';

type Impl = 'haldir' | 'keepalived';
interface Case {
  impl: Impl;
  version: 2 | 3;
  advertInt: number;
  sig: 'SIGKILL' | 'SIGTERM';
}

const rounds = Number(process.argv[2] ?? 3);

async function once(c: Case): Promise<number> {
  const lan = await createLan(['a', 'b'], { label: 'vb' });
  const peers: Peer[] = [];
  try {
    const base = { vrid: 61, version: c.version, advertInt: c.advertInt, vips: [`${lan.subnet4}.100/24`] };
    const start = (node: string, spec: InstanceSpec): Peer =>
      c.impl === 'haldir' ? startHaldir(lan, node, vrrpCf(spec, node)) : startKeepalived(lan, node, keepalivedConf(spec, node));
    const a = start('a', { ...base, priority: 150, state: 'MASTER' });
    const b = start('b', { ...base, priority: 100 });
    peers.push(a, b);
    const elect = masterDownMs(c.version, 100, c.advertInt * 100) + 5000;
    await a.waitFor(/Entering MASTER STATE/, elect);
    // Settle: the backup has seen several adverts (and lost any first election).
    await new Promise((r) => setTimeout(r, c.advertInt * 1000 * 3 + 500));
    return await measureFailover(a, b, c.sig, elect);
  } finally {
    for (const p of peers) await stopPeer(p);
    await lan.destroy();
  }
}

function stats(xs: number[]): { min: number; med: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, med: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
}

async function main(): Promise<void> {
  // Ctrl-C / kill: exit through process.exit so the LAN helper's exit hook deletes namespaces.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));
  if (!isRoot()) {
    console.error('vrrp-bench needs root (network namespaces, raw sockets)');
    process.exit(2);
  }
  const cases: Case[] = [];
  for (const [version, advertInt] of [[2, 1], [3, 0.1]] as const) {
    for (const sig of ['SIGKILL', 'SIGTERM'] as const) for (const impl of ['haldir', 'keepalived'] as const) cases.push({ impl, version, advertInt, sig });
  }
  const rows: string[][] = [['impl', 'version', 'advert_int', 'signal', 'bound ms', 'min ms', 'median ms', 'max ms', 'rounds']];
  for (const c of cases) {
    const xs: number[] = [];
    for (let i = 0; i < rounds; i++) xs.push(await once(c));
    const s = stats(xs);
    const bound = c.sig === 'SIGKILL' ? masterDownMs(c.version, 100, c.advertInt * 100) : skewMs(c.version, 100, c.advertInt * 100);
    rows.push([c.impl, `v${c.version}`, String(c.advertInt), c.sig, bound.toFixed(0), s.min.toFixed(0), s.med.toFixed(0), s.max.toFixed(0), String(rounds)]);
    process.stderr.write(`${rows.at(-1)!.join(' ')}\n`);
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((x, i) => x.padStart(w[i]!)).join('  '));
  console.log('\nfailover = signal to the backup logging "Entering MASTER STATE"; backup priority 100, master 150;');
  console.log('bound: SIGKILL 3 x advert_int + skew, SIGTERM skew (RFC 3768/5798 6.1).');
}

void main();
