// Autoreload latency: time from writing ldirectord.cf to the changed weight being in the
// (stand-in) IPVS table, for haldir (inotify) and Debian's ldirectord (polls the file
// once per checkinterval) in the same run, on the same stand-in ipvsadm. haldir is
// measured for both ways of saving: a rename into place (editors, config management;
// applied at once) and a write in place (applied once unchanged for the 500 ms settle
// period, so a half-written file is never applied).
//   node dist/bench/autoreload-bench.js [edits=5] [checkinterval=5]
import { mkdtempSync, writeFileSync, readFileSync, renameSync, rmSync, existsSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

const root = resolve(import.meta.dirname, '../..');
const standin = join(root, 'test/fixtures/bin/ipvsadm');
const cli = join(root, 'dist/src/cli/haldir.js');
const edits = Number(process.argv[2] ?? 5);
const interval = Number(process.argv[3] ?? 5);

function cf(weight: number, log: string): string {
  return [
    `checkinterval=${interval}`,
    'checktimeout=2',
    'autoreload=yes',
    `logfile="${log}"`,
    'quiescent=no',
    'virtual=10.250.0.1:80',
    `\treal=127.0.50.1:80 masq ${weight}`,
    '\treal=127.0.50.2:80 masq 1',
    '\tchecktype=on',
    '',
  ].join('\n');
}

function weightIn(statePath: string): number | undefined {
  if (!existsSync(statePath)) return undefined;
  const r = spawnSync(standin, ['-S', '-n'], { env: { ...process.env, IPVSADM_STATE: statePath }, encoding: 'utf8' });
  const m = /-r 127\.0\.50\.1:80 -m -w (\d+)/.exec(r.stdout);
  return m ? Number(m[1]) : undefined;
}

/**
 * The ipvsadm both daemons run: a /bin/sh wrapper that stamps the wall clock (ns) of each
 * call before exec'ing the stand-in, so the figure is "edit -> ipvsadm started", free of
 * the stand-in's own Node start-up (the real ipvsadm is a small C program).
 */
function writeWrapper(dir: string): string {
  const p = join(dir, 'ipvsadm');
  // only writes count: the 5 s drift check's reads (-L -n) are not the reload
  writeFileSync(p, `#!/bin/sh\ncase "$1" in -L*|-S*) ;; *) echo "$(date +%s%N)" >> "${join(dir, 'calls.ts')}" ;; esac\nexec "${standin}" "$@"\n`);
  chmodSync(p, 0o755);
  return p;
}

function callsAfter(dir: string, wallNs: bigint): bigint[] {
  const f = join(dir, 'calls.ts');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => BigInt(l.trim())).filter((t) => t >= wallNs);
}

async function waitCall(dir: string, wallNs: bigint, timeoutMs: number): Promise<number | undefined> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    const c = callsAfter(dir, wallNs);
    if (c.length > 0) return Number(c[0]! - wallNs) / 1e6;
    await new Promise((r) => setTimeout(r, 5));
  }
  return undefined;
}

async function waitWeight(statePath: string, w: number, timeoutMs: number): Promise<number | undefined> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (weightIn(statePath) === w) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 5));
  }
  return undefined;
}

type Save = (cfg: string, text: string) => void;
const inPlace: Save = (cfg, text) => writeFileSync(cfg, text);
const byRename: Save = (cfg, text) => {
  writeFileSync(`${cfg}.tmp`, text);
  renameSync(`${cfg}.tmp`, cfg);
};

async function measure(name: string, startDaemon: (dir: string, cfg: string, state: string) => ChildProcess, save: Save = inPlace): Promise<[number[], number[]]> {
  const dir = mkdtempSync(join(tmpdir(), `bench-reload-${name}-`));
  const cfg = join(dir, 'ldirectord.cf');
  const state = join(dir, 'state.json');
  writeFileSync(cfg, cf(1, join(dir, 'log')));
  const child = startDaemon(dir, cfg, state);
  const out: number[] = [];
  const applied: number[] = [];
  try {
    if ((await waitWeight(state, 1, 30000)) === undefined) throw new Error(`${name}: table never populated`);
    for (let i = 0; i < edits; i++) {
      const w = 10 + i;
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
      const t0 = performance.now();
      const wallNs = BigInt(Date.now()) * 1_000_000n;
      save(cfg, cf(w, join(dir, 'log')));
      const called = await waitCall(dir, wallNs, (interval + 10) * 1000);
      out.push(called === undefined ? NaN : called);
      const ok = await waitWeight(state, w, 10000);
      applied.push(ok === undefined ? NaN : performance.now() - t0);
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  return [out, applied];
}

function stats(xs: number[]): string {
  const ok = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (ok.length === 0) return 'no edit applied';
  const med = ok[Math.floor(ok.length / 2)]!;
  return `median ${med.toFixed(0)} ms, min ${ok[0]!.toFixed(0)} ms, max ${ok[ok.length - 1]!.toFixed(0)} ms (${ok.length}/${xs.length} applied)`;
}

const startHaldir = (dir: string, cfg: string, state: string) =>
  spawn(process.execPath, [cli, '-d', '--ipvsadm', writeWrapper(dir), cfg, 'start'], {
    cwd: dir,
    env: { ...process.env, IPVSADM_STATE: state },
    stdio: 'ignore',
  });
for (const [label, save] of [['rename', byRename], ['in place', inPlace]] as const) {
  const times = await measure('haldir', startHaldir, save);
  console.log(`haldir      edit (${label}) -> ipvsadm started: ${stats(times[0])}`);
  console.log(`haldir      edit (${label}) -> table changed (incl. the stand-in's node start-up): ${stats(times[1])}`);
}

const ldirectord = '/usr/sbin/ldirectord';
if (existsSync(ldirectord)) {
  const ldTimes = await measure('ldirectord', (dir, cfg, state) => {
    writeWrapper(dir);
    return spawn(ldirectord, ['-d', cfg, 'start'], { cwd: dir, env: { ...process.env, IPVSADM_STATE: state }, stdio: 'ignore' });
  });
  console.log(`ldirectord  edit -> ipvsadm started: ${stats(ldTimes[0])} (polls every checkinterval=${interval}s)`);
  console.log(`ldirectord  edit -> table changed: ${stats(ldTimes[1])}`);
} else {
  console.log('ldirectord  not installed (apt-get install ldirectord) - skipped');
}
