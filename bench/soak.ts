// Soak: thousands of reals, a fifth of them hostile (blackholed, never answering,
// endless body, stalled TLS, regex bomb), checked for a long time by one haldir
// scheduler in its own process. Records the checker's RSS and open descriptors over time
// and the detection delay of healthy reals that start failing (one at a time, round
// robin: from the farm answering 503 to the checker's "down"), and decides whether
// memory is flat: a least-squares line through RSS over the second half, whose rise
// over that half must stay under a threshold. Used by bench/soak-bench.ts (30 minutes,
// 2,000 reals) and test/checks/soak.test.ts (a short run with fewer reals).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startFarm } from '../test/checks/farm-client.js';
import { createBlackhole, isRoot, type Blackhole } from '../test/checks/fixtures.js';
import type { CheckerSpec } from './soak-checker.js';

type Real = readonly [string, number];

export interface SoakOptions {
  readonly seconds: number;
  /** Healthy reals = addresses x portsPerAddress (the loopback farm's layout). */
  readonly healthyAddresses: number;
  readonly portsPerAddress: number;
  /** Reals per hostile kind (five kinds; blackholed needs root and at most 128). */
  readonly hostilePerKind: number;
  readonly intervalS: number;
  readonly timeoutS: number;
  readonly sampleMs: number;
  /** RSS rise over the second half (fitted line) above this is "not flat". */
  readonly flatThresholdMb: number;
  readonly progress?: (line: string) => void;
}

export interface SoakSample {
  /** Seconds since the measurement started. */
  readonly t: number;
  readonly rssMb: number;
  readonly fds: number;
  readonly probes: number;
  /** Healthy reals gone down unasked so far. */
  readonly spuriousDowns: number;
  /** Checker CPU since the previous sample, in cores. */
  readonly cpu: number;
}

export interface SoakReport {
  readonly reals: number;
  readonly hostile: Readonly<Record<string, number>>;
  /** Seconds from start until every healthy real was up. */
  readonly allUpS: number;
  readonly samples: readonly SoakSample[];
  /** ms from a healthy real starting to fail to the checker's down transition. */
  readonly detectionsMs: readonly number[];
  /** Flips whose down transition did not come within interval + timeout + 5 s. */
  readonly missedDetections: number;
  /** Healthy reals that went down without being told to (must be 0). */
  readonly spuriousDowns: number;
  /** Their down messages, by kind (first 60 characters), with counts. */
  readonly spuriousWhy: Readonly<Record<string, number>>;
  /** Hostile reals that were ever reported up (must be 0). */
  readonly hostileUps: number;
  readonly warnings: number;
  readonly rssSlopeMbPerMin: number;
  /** Fitted RSS rise over the second half. */
  readonly rssRiseSecondHalfMb: number;
  readonly fdsMaxFirstHalf: number;
  readonly fdsMaxSecondHalf: number;
  readonly flat: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, USER_HZ 100
}

/** The farms stand for other machines: they run at normal priority even when the bench is niced (root only). */
function unnice(pid: number | undefined): void {
  try {
    if (pid !== undefined) setPriority(pid, 0);
  } catch {
    /* not root: they share the bench's priority */
  }
}

function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

interface HostileFarm {
  readonly kinds: Record<'silent' | 'endless' | 'bomb' | 'tlsStall', Real[]>;
  stop(): Promise<void>;
}

async function startHostileFarm(octet2: number, count: number): Promise<HostileFarm> {
  const script = fileURLToPath(new URL('../test/checks/hostile-farm.js', import.meta.url));
  const child = spawn(process.execPath, [script, String(octet2), String(count)], { stdio: ['pipe', 'pipe', 'inherit'] });
  unnice(child.pid);
  const rl = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`hostile farm exited with ${code}`)));
  });
  return { kinds: JSON.parse(first) as HostileFarm['kinds'], stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.stdin?.end();
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const say = o.progress ?? (() => {});
  const octet2 = 40 + Math.floor(Math.random() * 180);
  const basePort = 20000 + Math.floor(Math.random() * 30000);
  const dir = mkdtempSync(join(tmpdir(), 'haldir-soak-'));
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  // an interrupted soak still removes its farms, checker, namespace and files
  const onSignal = (): void => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const farm = await startFarm(octet2, o.healthyAddresses, o.portsPerAddress, basePort);
    cleanups.push(() => farm.stop());
    unnice(farm.pid);
    const hostile = await startHostileFarm(octet2 + 1, o.hostilePerKind);
    cleanups.push(() => hostile.stop());
    let blackholed: Real[] = [];
    if (isRoot()) {
      const bh: Blackhole = await createBlackhole();
      cleanups.push(() => bh.destroy());
      blackholed = bh.addresses(Math.min(128, o.hostilePerKind)).map((a) => [a, 80] as const);
    } else {
      // without root no namespace can drop packets: a fifth silent kind stands in
      blackholed = (await startHostileFarm(octet2 + 2, o.hostilePerKind)).kinds.silent;
    }
    const spec: CheckerSpec = {
      http: [...farm.reals, ...hostile.kinds.silent, ...hostile.kinds.endless, ...blackholed],
      https: hostile.kinds.tlsStall,
      bomb: hostile.kinds.bomb,
      intervalS: o.intervalS,
      timeoutS: o.timeoutS,
    };
    const hostileCounts = {
      blackholed: blackholed.length, silent: hostile.kinds.silent.length, endless: hostile.kinds.endless.length,
      tlsStall: hostile.kinds.tlsStall.length, bomb: hostile.kinds.bomb.length,
    };
    const total = spec.http.length + spec.https.length + spec.bomb.length;
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify(spec));
    const checkerJs = fileURLToPath(new URL('./soak-checker.js', import.meta.url));
    const checker = spawn(process.execPath, [checkerJs, specFile], { stdio: ['pipe', 'pipe', 'inherit'] });
    cleanups.push(() => stopChild(checker));
    const healthyKey = new Map(farm.reals.map(([h, p], i) => [`${h}:${p}`, i]));
    const up = new Set<string>();
    let hostileUps = 0;
    let spuriousDowns = 0;
    const spuriousWhy: Record<string, number> = {};
    const failing = new Set<number>();
    const waiters: { line: string; resolve: () => void }[] = [];
    let probeReply: ((s: string) => void) | undefined;
    let ready: (() => void) | undefined;
    const readyP = new Promise<void>((resolve, reject) => {
      ready = resolve;
      checker.once('exit', (c) => reject(new Error(`soak checker exited with ${c}`)));
    });
    createInterface({ input: checker.stdout }).on('line', (line) => {
      const [word, real, w] = line.split(' ');
      const message = line.split(' ').slice(2).join(' ');
      if (word === 'ready') return ready?.();
      if (word === 'probes') return probeReply?.(`${real} ${w}`);
      if (word === 'up' || word === 'down') {
        const i = healthyKey.get(real!);
        if (i === undefined) {
          if (word === 'up') {
            hostileUps++;
            say(`hostile real reported up: ${real}`);
          }
        } else if (word === 'up') up.add(real!);
        else {
          up.delete(real!);
          if (!failing.has(i)) {
            spuriousDowns++;
            const why = message.slice(0, 60);
            spuriousWhy[why] = (spuriousWhy[why] ?? 0) + 1;
          }
        }
        const k = waiters.findIndex((x) => x.line === `${word} ${real}`);
        if (k >= 0) waiters.splice(k, 1)[0]!.resolve();
      }
    });
    const until = (line: string, ms: number): Promise<boolean> =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          const k = waiters.findIndex((x) => x.resolve === done);
          if (k >= 0) waiters.splice(k, 1);
          resolve(false);
        }, ms);
        const done = (): void => {
          clearTimeout(timer);
          resolve(true);
        };
        waiters.push({ line, resolve: done });
      });
    const askProbes = (): Promise<[number, number]> =>
      new Promise((resolve) => {
        probeReply = (s) => resolve(s.split(' ').map(Number) as [number, number]);
        checker.stdin.write('probes\n');
      });
    await readyP;
    const t0 = performance.now();
    say(`${total} reals (${farm.reals.length} healthy, hostile ${JSON.stringify(hostileCounts)}), interval ${o.intervalS} s, timeout ${o.timeoutS} s`);
    const upDeadline = t0 + (o.intervalS + o.timeoutS) * 1000 * 3 + 30_000;
    while (up.size < farm.reals.length && performance.now() < upDeadline) await sleep(100);
    const allUpS = (performance.now() - t0) / 1000;
    if (up.size < farm.reals.length) throw new Error(`timed out waiting for all ${farm.reals.length} healthy reals to come up (${up.size} up after ${allUpS.toFixed(0)} s)`);
    say(`all ${farm.reals.length} healthy reals up after ${allUpS.toFixed(1)} s; measuring for ${o.seconds} s`);

    const samples: SoakSample[] = [];
    const detectionsMs: number[] = [];
    let missedDetections = 0;
    const start = performance.now();
    const end = start + o.seconds * 1000;
    let stopFlips = false;
    // one healthy real at a time fails, is detected, recovers, is seen up again
    const flips = (async () => {
      let next = 0;
      const limit = (o.intervalS + o.timeoutS) * 1000 + 5000;
      while (!stopFlips) {
        const i = next++ % farm.reals.length;
        const [h, p] = farm.reals[i]!;
        failing.add(i);
        const f0 = performance.now();
        const downSeen = until(`down ${h}:${p}`, limit);
        farm.setFailing(i, true);
        if (await downSeen) detectionsMs.push(performance.now() - f0);
        else missedDetections++;
        const upSeen = until(`up ${h}:${p}`, limit);
        farm.setFailing(i, false);
        await upSeen;
        failing.delete(i);
        await sleep(200);
      }
    })();
    let warnings = 0;
    let lastCpu = cpuSeconds(checker.pid!);
    let lastT = performance.now();
    while (performance.now() < end) {
      const [probes, w] = await askProbes();
      warnings = w;
      const cpuNow = cpuSeconds(checker.pid!);
      const now = performance.now();
      const cpu = (cpuNow - lastCpu) / ((now - lastT) / 1000);
      lastCpu = cpuNow;
      lastT = now;
      const s: SoakSample = { t: (now - start) / 1000, rssMb: rssMb(checker.pid!), fds: fdCount(checker.pid!), probes, spuriousDowns, cpu };
      samples.push(s);
      say(`t=${s.t.toFixed(0)}s rss=${s.rssMb.toFixed(1)}MB fds=${s.fds} cpu=${cpu.toFixed(2)} probes=${probes} detections=${detectionsMs.length} p50=${percentile(detectionsMs, 50).toFixed(0)}ms missed=${missedDetections} spurious=${spuriousDowns}`);
      await sleep(Math.min(o.sampleMs, Math.max(0, end - performance.now())));
    }
    stopFlips = true;
    await flips;
    const half = o.seconds / 2;
    const second = samples.filter((s) => s.t >= half);
    const first = samples.filter((s) => s.t < half);
    const perSecond = slope(second.map((s) => [s.t, s.rssMb] as const));
    const rise = perSecond * (o.seconds - half);
    return {
      reals: total,
      hostile: hostileCounts,
      allUpS,
      samples,
      detectionsMs,
      missedDetections,
      spuriousDowns,
      spuriousWhy,
      hostileUps,
      warnings,
      rssSlopeMbPerMin: perSecond * 60,
      rssRiseSecondHalfMb: rise,
      fdsMaxFirstHalf: Math.max(...first.map((s) => s.fds)),
      fdsMaxSecondHalf: Math.max(...second.map((s) => s.fds)),
      flat: rise < o.flatThresholdMb,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanUp();
  }
}
