// Split-brain and failover figures on the e2e pair topology (two director namespaces, a
// client namespace requesting the VIP every 50 ms), haldir-vrrp and keepalived 2.2.7 in the
// same run: time to detect an induced split brain (VRRP dropped with nftables), time to
// converge after healing (one VIP holder and the client's ARP entry on it), and the
// client's outage window for SIGKILL and SIGTERM failovers. Needs root.
//   node dist/bench/splitbrain-bench.js        (SB_BENCH_ROUNDS=N, default 3)

import { createPair, clientOutage, lastAnswer, pairCf, until } from '../test/e2e/helpers/pair.js';
import type { Pair } from '../test/e2e/helpers/pair.js';
import { keepalivedConf, startHaldir, startKeepalived } from '../test/vrrp/helpers/peers.js';
import type { Peer } from '../test/vrrp/helpers/peers.js';

type Kind = 'haldir' | 'keepalived';
const ROUNDS = Number(process.env.SB_BENCH_ROUNDS) || 3;
const VRID = 99;

function start(kind: Kind, pair: Pair, node: 'a' | 'b', priority: number, extra: string[]): Peer {
  const spec = { vrid: VRID, version: 3 as const, advertInt: 0.1, priority, state: node === 'a' ? ('MASTER' as const) : ('BACKUP' as const) };
  if (kind === 'keepalived') return startKeepalived(pair.lan, node, keepalivedConf({ ...spec, vips: [`${pair.vip}/24`] }, `ka${node}`));
  return startHaldir(pair.lan, node, pairCf(`lb${node}`, extra, [{ ...spec, name: 'VI_1', vips: [pair.vip] }]));
}

async function startPair(kind: Kind, pair: Pair, withSplitBrain: boolean): Promise<[Peer, Peer]> {
  const n = pair.lan.nodes;
  const sb = (self: 'a' | 'b', other: 'a' | 'b'): string[] =>
    withSplitBrain ? [`peer = ${n[other]!.ip4}:7474`, `status_listen = ${n[self]!.ip4}:7474`, 'status_secret = bench-status-secret-0123456789', 'split_brain_action = yield'] : [];
  const pa = start(kind, pair, 'a', 150, sb('a', 'b'));
  const pb = start(kind, pair, 'b', 100, sb('b', 'a'));
  pair.peers.push(pa, pb);
  await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, 8000);
  await pb.waitFor(/\(VI_1\) Entering BACKUP STATE/, 8000);
  await until(async () => (await pair.holders()).join() === 'a', 5000, 'VIP on a');
  return [pa, pb];
}

interface Figures {
  detectMs?: number;
  convergeSplitMs?: number;
  convergeHealMs?: number;
  killOutageMs?: number;
  termOutageMs?: number;
}

/** Induced split brain: detection, convergence to one holder the client follows, and after healing. */
async function splitBrainRound(kind: Kind): Promise<Figures> {
  const pair = await createPair(kind === 'haldir' ? 'bh' : 'bk');
  try {
    const [pa, pb] = await startPair(kind, pair, true);
    const macA = await pair.mac('a');
    const client = pair.client();
    await until(() => lastAnswer(client.samples()) === 'a', 5000, 'client on a');
    const t0 = performance.now();
    await pair.blockVrrp('a');
    await pair.blockVrrp('b');
    const tDual = await pb.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000, t0);
    const f: Figures = {};
    if (kind === 'haldir') {
      const det = await Promise.race([pa, pb].map((p) => p.waitFor(/split brain detected/, 10_000, tDual)));
      f.detectMs = det - tDual;
    }
    // Converged: one holder, and the client's ARP entry on a (the higher priority).
    const converged = async (): Promise<boolean> => (await pair.holders()).join() === 'a' && (await pair.clientArp()) === macA;
    f.convergeSplitMs = await until(converged, 10_000, 'one holder').then(() => performance.now() - tDual, () => undefined);
    const tHeal = performance.now();
    await pair.unblockVrrp('a');
    await pair.unblockVrrp('b');
    f.convergeHealMs = await until(converged, 10_000, 'one holder after healing', 50).then(() => performance.now() - tHeal, () => undefined);
    if (f.convergeHealMs === undefined) {
      const arp = await pair.clientArp();
      const owner = arp === macA ? 'a' : arp === (await pair.mac('b')) ? 'b' : arp || 'none';
      notes.push(`${kind}: 10 s after healing, VIP on [${(await pair.holders()).join(',')}], client ARP entry points at ${owner}`);
    }
    return f;
  } finally {
    await pair.destroy();
  }
}

async function failoverRound(kind: Kind): Promise<Figures> {
  const pair = await createPair(kind === 'haldir' ? 'fh' : 'fk');
  try {
    let [pa] = await startPair(kind, pair, false);
    const client = pair.client();
    await until(() => lastAnswer(client.samples()) === 'a', 5000, 'client on a');
    // A dead director: SIGKILL and its link cut (its left-behind VIP must not keep answering).
    const killOutageMs = await clientOutage(client, () => Promise.all([pa.kill('SIGKILL'), pair.lan.setLinkUp('a', false)]), 'b');
    await pa.exited;
    await pair.lan.setLinkUp('a', true);
    // Bring a back (it preempts), then stop it cleanly.
    pa = start(kind, pair, 'a', 150, []);
    pair.peers.push(pa);
    await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, 8000);
    await until(() => lastAnswer(client.samples()) === 'a', 5000, 'client back on a');
    const termOutageMs = await clientOutage(client, () => pa.kill('SIGTERM'), 'b');
    return { killOutageMs, termOutageMs };
  } finally {
    await pair.destroy();
  }
}

const notes: string[] = [];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function cell(xs: (number | undefined)[]): string {
  if (xs.length === 0) return 'n/a';
  const ok = xs.filter((x): x is number => x !== undefined);
  if (ok.length === 0) return 'never (>10 s)';
  const miss = xs.length - ok.length;
  return `${median(ok).toFixed(0)} / ${Math.max(...ok).toFixed(0)}${miss ? ` (${miss} never)` : ''}`;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('splitbrain-bench: needs root (network namespaces); skipped');
    return;
  }
  const rows: [string, Record<Kind, (number | undefined)[]>][] = [];
  const add = (label: string, kind: Kind, v: number | undefined): void => {
    let r = rows.find((x) => x[0] === label);
    if (!r) rows.push((r = [label, { haldir: [], keepalived: [] }]));
    r[1][kind].push(v);
  };
  for (let i = 0; i < ROUNDS; i++) {
    for (const kind of ['haldir', 'keepalived'] as const) {
      const s = await splitBrainRound(kind);
      if (kind === 'haldir') add('split brain: detect (ms)', kind, s.detectMs);
      add('split brain: one holder + client ARP (ms)', kind, s.convergeSplitMs);
      add('healed: one holder + client ARP (ms)', kind, s.convergeHealMs);
      const f = await failoverRound(kind);
      add('SIGKILL + link cut: client outage (ms)', kind, f.killOutageMs);
      add('SIGTERM failover: client outage (ms)', kind, f.termOutageMs);
    }
  }
  console.log(`VRRP v3 advert_int 0.1, priorities 150/100, ${ROUNDS} round(s); median / max; haldir with split_brain_action = yield, probe interval 1 s`);
  const table = [['measure', 'haldir-vrrp', 'keepalived 2.2.7'], ...rows.map(([l, v]) => [l, cell(v.haldir), cell(v.keepalived)])];
  const w = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  for (const r of table) console.log(r.map((x, c) => x.padEnd(w[c]!)).join('  ').trimEnd());
  for (const n of new Set(notes)) console.log(`note: ${n}`);
}

await main();
