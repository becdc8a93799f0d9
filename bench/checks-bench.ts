// Health-check bench: haldir (lean client and got), HAProxy 2.6 and ldirectord checking
// the same loopback HTTP reals once a second. Prints, per run: checks per second
// sustained (requests the servers answered), CPU seconds per 1,000 checks, peak RSS,
// and detection latency (ms from a real starting to answer 503 to the checker's first
// request that saw it -- the checker acts on that answer at once with failurecount=1
// / fall 1). Servers run in their own process so their CPU is not counted.
//   node dist/bench/checks-bench.js [--sizes 1000,10000] [--seconds 8]
//        [--ldirectord-sizes 100,1000] [--no-haproxy] [--no-got] [--no-blackhole]
// Needs root for the 1% blackholed runs (network namespace) and haproxy/ldirectord
// installed (apt-get install haproxy ldirectord). Not part of npm test.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CheckScheduler, defaultMaxConcurrent } from '../src/checks/scheduler.js';
import { planChecks } from '../src/checks/target.js';
import { systemClock } from '../src/runtime/clock.js';
import { nullLogger } from '../src/runtime/logger.js';
import { startFarm, type Farm } from '../test/checks/farm-client.js';
import { createBlackhole, isRoot, makeReal, makeVirtual, type Blackhole } from '../test/checks/fixtures.js';
import { gotProbe } from './checks-got.js';

type Real = readonly [string, number];

const CLK_TCK = 100;
const FAULTS = 10;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

// ---- worker: one haldir scheduler in its own process ---------------------------------
async function worker(file: string): Promise<void> {
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as { reals: Real[]; client: 'lean' | 'got'; maxConcurrent: number };
  const v = makeVirtual({
    checkinterval: 1, negotiatetimeout: 3, checktimeout: 3, receive: 'OK', failurecount: 1,
    reals: cfg.reals.map(([address, port]) => makeReal({ address, port })),
  });
  let probes = 0;
  const sched = new CheckScheduler(planChecks([v], 'bench'), {
    clock: systemClock(),
    logger: nullLogger,
    maxConcurrent: cfg.maxConcurrent,
    onProbe: () => probes++,
    ...(cfg.client === 'got' ? { runProbe: gotProbe } : {}),
  });
  sched.start();
  process.stdout.write('ready\n');
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (l) => {
    if (l === 'probes') process.stdout.write(`probes ${probes}\n`);
  });
  rl.on('close', () => {
    sched.stop();
    process.exit(0);
  });
}

// ---- the checkers under test ------------------------------------------------------------
interface Checker {
  readonly pid: number;
  stop(): Promise<void>;
}

function waitLine(child: ChildProcess, want: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const t = setTimeout(() => reject(new Error(`no "${want}" from pid ${child.pid}`)), timeoutMs);
    rl.on('line', (l) => {
      if (l === want) {
        clearTimeout(t);
        resolve();
      }
    });
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    if (signal === 'SIGTERM' && child.stdin) child.stdin.end();
    else child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

async function startHaldir(reals: readonly Real[], client: 'lean' | 'got', dir: string): Promise<Checker> {
  const file = join(dir, `worker-${client}.json`);
  writeFileSync(file, JSON.stringify({ reals, client, maxConcurrent: defaultMaxConcurrent() }));
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--worker', file], { stdio: ['pipe', 'pipe', 'inherit'] });
  await waitLine(child, 'ready', 30_000);
  return { pid: child.pid!, stop: () => stopChild(child) };
}

async function startHaproxy(reals: readonly Real[], dir: string): Promise<Checker> {
  const lines = [
    'global', '  maxconn 2000', '  log stdout format raw local0 emerg',
    'defaults', '  mode http', '  timeout connect 3s', '  timeout client 3s', '  timeout server 3s', '  timeout check 3s',
    'frontend fe', '  bind 127.9.9.9:28080', '  default_backend be',
    'backend be', '  option httpchk GET /', '  http-check expect status 200',
    '  default-server check inter 1s fall 1 rise 1',
    ...reals.map(([h, p], i) => `  server s${i} ${h}:${p}`),
  ];
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, `${lines.join('\n')}\n`);
  const child = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'ignore'] });
  await sleep(1500);
  if (child.exitCode !== null) throw new Error('haproxy did not start');
  return { pid: child.pid!, stop: () => stopChild(child, 'SIGUSR1') };
}

async function startLdirectord(reals: readonly Real[], dir: string): Promise<Checker> {
  // ldirectord -d runs ./ipvsadm from its cwd: a stand-in that does nothing
  writeFileSync(join(dir, 'ipvsadm'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'ipvsadm'), 0o755);
  const cf = join(dir, `haldir-bench-${process.pid}.cf`);
  writeFileSync(cf, [
    'checktimeout=3', 'negotiatetimeout=3', 'checkinterval=1', 'failurecount=1', 'quiescent=no',
    `logfile="${join(dir, 'ldirectord.log')}"`,
    'virtual=10.255.0.1:80',
    ...reals.map(([h, p]) => `\treal=${h}:${p} gate`),
    '\tservice=http', '\trequest="/"', '\treceive="OK"', '\tchecktype=negotiate', '\tscheduler=wrr', '',
  ].join('\n'));
  const child = spawn('ldirectord', ['-d', cf, 'start'], { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
  await sleep(2000);
  if (child.exitCode !== null) throw new Error('ldirectord did not start');
  return { pid: child.pid!, stop: () => stopChild(child, 'SIGTERM') };
}

// ---- one measured run ------------------------------------------------------------------
interface Figures {
  checker: string;
  n: number;
  blackholedPct: number;
  checksPerSec: number;
  cpuMsPer1000: number;
  cpuCores: number;
  peakRssMb: number;
  detectMedianMs: number;
  detectMaxMs: number;
  detected: string;
}

async function measure(
  name: string, n: number, pct: number, farm: Farm, liveIndexes: readonly number[], seconds: number, start: () => Promise<Checker>,
  warmupMs = 2000,
): Promise<Figures> {
  const c = await start();
  try {
    await sleep(warmupMs); // warm-up: first round (and ldirectord's ipvsadm calls for every real added)
    const cpu0 = cpuTicks(c.pid);
    const served0 = await farm.count();
    const t0 = performance.now();
    await sleep(1000);
    const faulty = Array.from({ length: FAULTS }, (_, i) => liveIndexes[Math.floor(((i + 0.5) * liveIndexes.length) / FAULTS)]!);
    for (const i of faulty) farm.setFailing(i, true);
    await sleep(Math.max(0, seconds * 1000 - 1000));
    const cpu1 = cpuTicks(c.pid);
    const served1 = await farm.count();
    const elapsed = (performance.now() - t0) / 1000;
    const lat = await farm.latency();
    for (const i of faulty) farm.setFailing(i, false);
    const lats = faulty.map((i) => lat[String(i)]).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
    const checks = (served1 - served0) / elapsed;
    const cpuSec = (cpu1 - cpu0) / CLK_TCK;
    return {
      checker: name, n, blackholedPct: pct,
      checksPerSec: Math.round(checks),
      cpuMsPer1000: Math.round((cpuSec / ((served1 - served0) / 1000)) * 1000),
      cpuCores: Math.round((cpuSec / elapsed) * 100) / 100,
      peakRssMb: Math.round(peakRssMb(c.pid)),
      detectMedianMs: Math.round(lats[Math.floor(lats.length / 2)] ?? NaN),
      detectMaxMs: Math.round(lats[lats.length - 1] ?? NaN),
      detected: `${lats.length}/${FAULTS}`,
    };
  } finally {
    await c.stop();
  }
}

async function main(): Promise<void> {
  if (flag('worker')) return worker(arg('worker', ''));
  const sizes = arg('sizes', '1000,10000').split(',').map(Number);
  const ldSizes = new Set(arg('ldirectord-sizes', '100,1000').split(',').map(Number));
  const seconds = Number(arg('seconds', '8'));
  const pcts = flag('no-blackhole') || !isRoot() ? [0] : [0, 1];
  const dir = mkdtempSync(join(tmpdir(), 'haldir-checks-bench-'));
  const results: Figures[] = [];
  let bh: Blackhole | undefined;
  const report = (f: Figures): void => {
    results.push(f);
    console.log(
      `${f.checker.padEnd(12)} N=${String(f.n).padEnd(6)} dark=${f.blackholedPct}%  ${String(f.checksPerSec).padStart(6)} checks/s  ` +
        `${String(f.cpuMsPer1000).padStart(5)} ms CPU/1000 checks (${f.cpuCores} core)  peak RSS ${f.peakRssMb} MB  ` +
        `detect median ${f.detectMedianMs} ms, max ${f.detectMaxMs} ms (${f.detected})`,
    );
  };
  try {
    if (pcts.includes(1)) bh = await createBlackhole();
    const allSizes = [...new Set([...sizes, ...[...ldSizes].filter((s) => !sizes.includes(s))])].sort((a, b) => a - b);
    for (const n of allSizes) {
      const perAddr = Math.min(100, n);
      const farm = await startFarm(60, Math.ceil(n / perAddr), perAddr, 23000);
      try {
        for (const pct of pcts) {
          const dark = bh ? bh.addresses(Math.min(128, Math.round((n * pct) / 100))) : [];
          const live = farm.reals.slice(0, n - dark.length);
          const reals: Real[] = [...live, ...dark.map((a): Real => [a, 80])];
          const liveIdx = live.map((_, i) => i);
          if (sizes.includes(n)) {
            report(await measure('haldir', n, pct, farm, liveIdx, seconds, () => startHaldir(reals, 'lean', dir)));
            if (!flag('no-got') && pct === 0) report(await measure('haldir+got', n, pct, farm, liveIdx, seconds, () => startHaldir(reals, 'got', dir)));
            if (!flag('no-haproxy')) report(await measure('haproxy-2.6', n, pct, farm, liveIdx, seconds, () => startHaproxy(reals, dir)));
          }
          if (ldSizes.has(n) && pct === 0) report(await measure('ldirectord', n, pct, farm, liveIdx, seconds, () => startLdirectord(reals, dir), 8000));
        }
      } finally {
        await farm.stop();
      }
    }
  } finally {
    await bh?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(results));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
