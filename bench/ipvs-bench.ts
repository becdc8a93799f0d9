// How much table work each design costs. Prints figures; not part of npm test.
//
//   node dist/bench/ipvs-bench.js                 (haldir: 10,000 reals; ldirectord: 200)
//   BENCH_REALS=10000 BENCH_LD_REALS=0 node dist/bench/ipvs-bench.js   (skip ldirectord)
//
// Both sides drive the stand-in ipvsadm (test/fixtures/bin/ipvsadm, a Node script: each
// execution costs a Node start, ~40-60 ms, where the real ipvsadm costs ~1 ms), so the
// number of ipvsadm executions (lines in IPVSADM_LOG) is the figure that carries over to
// a real kernel; wall times are given with that caveat.
//
// haldir: planner + planOps + the ipvsadm backend (one `ipvsadm -R` per round, two reads).
//   1. program N reals from an empty table; 2. reload changing 1% of the reals' weights;
//   3. 100 reals failing at once (health flips to down, quiescent=no).
// ldirectord 4.12 (`ldirectord -d` with ./ipvsadm = the stand-in, connect checks against
//   one Node listener per real on 127.0.x.y): 1. start from an empty table until idle;
//   2. SIGHUP after changing 1% of the weights, until idle; 3. close 20% of the listeners
//   (at most 100), until idle (includes up to one checkinterval=1 s of detection).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { IpvsadmBackend } from '../src/ipvs/backends/ipvsadm.js';
import { planOps } from '../src/ipvs/plan.js';
import { planDesiredTable } from '../src/pool/plan-desired.js';
import type { RealHealth } from '../src/pool/plan-desired.js';
import type { Config } from '../src/config/model.js';
import { config, real, virtual } from '../test/pool/config-factory.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const STAND_IN = join(root, 'test/fixtures/bin/ipvsadm');
const N = Number(process.env.BENCH_REALS ?? 10_000);
const LD_N = Number(process.env.BENCH_LD_REALS ?? 200);
const PER_VIRTUAL = 100;

function addrOf(i: number): string {
  return `10.${1 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;
}

function buildConfig(n: number, weightOf: (i: number) => number, addr: (i: number) => string, port: (v: number) => number): Config {
  const virtuals = [];
  for (let v = 0; v * PER_VIRTUAL < n; v++) {
    const reals = [];
    for (let i = v * PER_VIRTUAL; i < Math.min(n, (v + 1) * PER_VIRTUAL); i++) reals.push(real(addr(i), port(v), { weight: weightOf(i) }));
    virtuals.push(virtual(`127.0.0.1:${port(v)}`, reals));
  }
  return config(virtuals);
}

function countLines(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
}

interface Row { readonly who: string; readonly scenario: string; readonly reals: number; readonly ms: number; readonly executions: number; readonly note: string }
const rows: Row[] = [];

async function benchHaldir(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-bench-'));
  const env = { ...process.env, IPVSADM_STATE: join(dir, 'state.json'), IPVSADM_LOG: join(dir, 'calls.log') };
  const log = join(dir, 'calls.log');
  const backend = new IpvsadmBackend({ binary: STAND_IN, env, timeoutMs: 300_000 });
  const port = (v: number) => 10000 + v;
  const round = async (scenario: string, cfg: Config, health: (v: string, r: string) => RealHealth, phase: 'start' | 'running') => {
    const before = countLines(log);
    const t0 = performance.now();
    const observed = await backend.read();
    const plan = planDesiredTable(cfg, health, observed, { phase });
    const ops = planOps(observed, plan.desired, plan.managedServiceIds);
    const report = await backend.apply(ops);
    const ms = performance.now() - t0;
    if (!report.ok) throw new Error(`apply failed: ${JSON.stringify(report.failed.slice(0, 3))}`);
    rows.push({ who: 'haldir', scenario, reals: N, ms, executions: countLines(log) - before, note: `${ops.length} ops, ${plan.events.length} events` });
  };
  try {
    const up = () => 'up' as const;
    await round('program from empty', buildConfig(N, () => 1, addrOf, port), up, 'start');
    const changed = new Set(Array.from({ length: Math.ceil(N / 100) }, (_, k) => k * 100 + 7).filter((i) => i < N));
    await round('reload, 1% changed', buildConfig(N, (i) => (changed.has(i) ? 5 : 1), addrOf, port), up, 'start');
    const failing = new Set(Array.from({ length: 100 }, (_, k) => addrOf((k * 97) % N)));
    await round('100 reals fail', buildConfig(N, (i) => (changed.has(i) ? 5 : 1), addrOf, port), (_v, r) => (failing.has(r.split(':')[0]!) ? 'down' : 'up'), 'running');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function settle(log: string, minLines: number, quietMs: number): Promise<void> {
  let last = -1;
  let since = Date.now();
  for (;;) {
    const n = countLines(log);
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (n >= minLines && Date.now() - since >= quietMs) return;
    await sleep(100);
  }
}

async function benchLdirectord(): Promise<void> {
  if (LD_N <= 0) return;
  if (!existsSync('/usr/sbin/ldirectord')) {
    console.log('ldirectord not installed: skipped (apt-get install ldirectord)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'haldir-bench-ld-'));
  const log = join(dir, 'calls.log');
  const env = { ...process.env, IPVSADM_STATE: join(dir, 'state.json'), IPVSADM_LOG: log };
  copyFileSync(STAND_IN, join(dir, 'ipvsadm'));
  const servers: Server[] = [];
  const ldAddr = (i: number) => `127.1.${Math.floor(i / 250)}.${1 + (i % 250)}`;
  const port = 47000;
  for (let i = 0; i < LD_N; i++) {
    const s = createServer((c) => c.destroy());
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, ldAddr(i), () => resolve());
    });
    servers.push(s);
  }
  const cf = join(dir, 'bench.cf');
  const write = (weightOf: (i: number) => number) => {
    const lines = ['checkinterval=1', 'checktimeout=1', 'cleanstop=no', 'quiescent=no'];
    for (let v = 0; v * PER_VIRTUAL < LD_N; v++) {
      lines.push(`virtual=127.0.0.1:${port + 1 + v}`, '\tchecktype=connect', '\tservice=none');
      for (let i = v * PER_VIRTUAL; i < Math.min(LD_N, (v + 1) * PER_VIRTUAL); i++) lines.push(`\treal=${ldAddr(i)}:${port} masq ${weightOf(i)}`);
    }
    writeFileSync(cf, lines.join('\n') + '\n');
  };
  write(() => 1);
  const child = spawn('/usr/sbin/ldirectord', ['-d', cf, 'start'], { cwd: dir, env, detached: true, stdio: 'ignore' });
  try {
    let t0 = performance.now();
    await settle(log, LD_N, 3000);
    rows.push({ who: 'ldirectord', scenario: 'program from empty', reals: LD_N, ms: performance.now() - t0 - 3000, executions: countLines(log), note: 'until idle' });

    const changed = new Set(Array.from({ length: Math.max(1, Math.ceil(LD_N / 100)) }, (_, k) => k * 100 + 7).filter((i) => i < LD_N));
    write((i) => (changed.has(i) ? 5 : 1));
    let before = countLines(log);
    t0 = performance.now();
    process.kill(child.pid!, 'SIGHUP');
    await settle(log, before + 1, 3000);
    rows.push({ who: 'ldirectord', scenario: 'reload, 1% changed', reals: LD_N, ms: performance.now() - t0 - 3000, executions: countLines(log) - before, note: 'SIGHUP until idle' });

    const failing = Math.min(100, Math.floor(LD_N / 5));
    before = countLines(log);
    t0 = performance.now();
    await Promise.all(servers.slice(0, failing).map((s) => new Promise<void>((r) => s.close(() => r()))));
    await settle(log, before + 1, 3000);
    rows.push({ who: 'ldirectord', scenario: `${failing} reals fail`, reals: LD_N, ms: performance.now() - t0 - 3000, executions: countLines(log) - before, note: 'incl. detection (checkinterval 1 s)' });
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    rmSync(dir, { recursive: true, force: true });
  }
}

await benchHaldir();
await benchLdirectord();
console.log('who         scenario               reals   wall ms  ipvsadm execs  note');
for (const r of rows) {
  console.log(`${r.who.padEnd(11)} ${r.scenario.padEnd(22)} ${String(r.reals).padStart(6)} ${r.ms.toFixed(0).padStart(9)} ${String(r.executions).padStart(14)}  ${r.note}`);
}
