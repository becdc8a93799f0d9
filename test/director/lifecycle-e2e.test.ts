// The built `haldir` binary as operators run it: a real daemon (detached, pid file),
// the stand-in ipvsadm keeping the "kernel" table, real HTTP servers on loopback and a
// real SMTP server. start, status, status -v, edit ignored without autoreload, reload by
// signal, autoreload by file edit, a bad edit rejected (table unchanged, alert mailed),
// stop with cleanstop, restart with the table in place, stale pid file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { parseList } from '../../src/ipvs/ipvsadm-text.js';
import type { IpvsTable } from '../../src/ipvs/types.js';
import { HttpReal, freePortOn, waitUntil } from '../helpers/http-reals.js';
import { startSmtp } from '../alerts/helpers/smtp.js';
import { killIfStill, reapedPid } from '../helpers/pids.js';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist/src/cli/haldir.js');
const standin = join(root, 'test/fixtures/bin/ipvsadm');

interface Env {
  dir: string;
  cfg: string;
  pid: string;
  log: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs the CLI without blocking this process: the real servers live in it, and a
 * spawnSync of a few seconds on a loaded machine would time their checks out.
 */
function haldir(e: Env, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = execFile(process.execPath, [cli, '--ipvsadm', standin, '--pidfile', e.pid, ...args], { env: e.env, encoding: 'utf8', timeout: 30000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : child.exitCode;
      resolveRun({ code, stdout, stderr });
    });
  });
}

function table(e: Env): IpvsTable {
  const r = spawnSync(standin, ['-L', '-n'], { env: e.env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return parseList(r.stdout);
}

function weightsOf(e: Env): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of table(e).services) for (const d of s.destinations) out[`${s.key.address}:${s.key.port}>${d.address}:${d.port}`] = d.weight;
  return out;
}

function cf(opts: { port: number; smtp: number; autoreload: boolean; w1: number; cleanstop?: boolean; log: string }): string {
  return [
    'checktimeout=3',
    'negotiatetimeout=3',
    'checkinterval=1',
    `autoreload=${opts.autoreload ? 'yes' : 'no'}`,
    `logfile="${opts.log}"`,
    'emailalert="ops@example.com"',
    `smtp=127.0.0.1:${opts.smtp}`,
    `cleanstop=${opts.cleanstop === false ? 'no' : 'yes'}`,
    '',
    'virtual=10.201.0.1:80',
    `\treal=127.0.36.1:${opts.port} masq ${opts.w1}`,
    `\treal=127.0.36.2:${opts.port} masq`,
    '\tservice=http',
    '\treceive="OK"',
    '\tscheduler=wlc',
    '',
  ].join('\n');
}

test('daemon lifecycle end to end with the stand-in ipvsadm', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-life-'));
  const port = await freePortOn(['127.0.36.1', '127.0.36.2']);
  const reals = [new HttpReal('127.0.36.1', port), new HttpReal('127.0.36.2', port)];
  await Promise.all(reals.map((r) => r.start()));
  const smtp = await startSmtp();
  const e: Env = {
    dir,
    cfg: join(dir, 'ldirectord.cf'),
    pid: join(dir, 'haldir.pid'),
    log: join(dir, 'haldir.log'),
    env: { ...process.env, IPVSADM_STATE: join(dir, 'state.json'), IPVSADM_LOG: join(dir, 'ipvsadm.log'), HALDIR_CONFDIR: join(dir, 'none') },
  };
  const base = { port, smtp: smtp.port, log: e.log };
  const logText = () => (existsSync(e.log) ? readFileSync(e.log, 'utf8') : '');
  const key = (h: string) => `10.201.0.1:80>${h}:${port}`;
  // Every daemon this test started (read from the pid file right after start): the only
  // pids the cleanup may signal.
  const daemons = new Set<number>();
  const haldirStarted = (r: Awaited<ReturnType<typeof haldir>>): Awaited<ReturnType<typeof haldir>> => {
    if (r.code === 0 && existsSync(e.pid)) daemons.add(Number(readFileSync(e.pid, 'utf8').trim()));
    return r;
  };
  try {
    writeFileSync(e.cfg, cf({ ...base, autoreload: false, w1: 1 }));
    // not running yet: status 3 and reload 1 (LSB, as ldirectord)
    const st0 = await haldir(e, e.cfg, 'status');
    assert.equal(st0.code, 3, st0.stderr + st0.stdout);
    assert.equal((await haldir(e, e.cfg, 'reload')).code, 1);

    const started = haldirStarted(await haldir(e, e.cfg, 'start'));
    assert.equal(started.code, 0, started.stderr);
    assert.ok(existsSync(e.pid), 'pid file written');
    const daemonPid = Number(readFileSync(e.pid, 'utf8').trim());
    const st = await haldir(e, e.cfg, 'status');
    assert.equal(st.code, 0);
    assert.match(st.stderr, new RegExp(`haldir for ${e.cfg} is running with pid: ${daemonPid}`));
    // a second start is a no-op
    assert.equal(haldirStarted(await haldir(e, e.cfg, 'start')).code, 0);

    await waitUntil(() => Object.keys(weightsOf(e)).length === 2, 15000, 'both reals in the table');
    assert.match(logText(), /\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\|ldirectord\.cf\|\d+\] Added real server: 127\.0\.36\.1:/);

    const verbose = await haldir(e, e.cfg, 'status', '-v');
    assert.equal(verbose.code, 0, verbose.stderr);
    assert.match(verbose.stdout, /TCP {2}10\.201\.0\.1:80 wlc/);
    assert.match(verbose.stdout, new RegExp(`-> 127\\.0\\.36\\.1:${port}\\s+Masq\\s+1\\s+up\\s`));

    // autoreload=no: an edit is noticed but not applied
    writeFileSync(e.cfg, cf({ ...base, autoreload: false, w1: 3 }));
    await waitUntil(() => logText().includes(' - ignore new configuration'), 15000, 'change noticed');
    assert.equal(weightsOf(e)[key('127.0.36.1')], 1, logText());
    // reload by command (SIGHUP) applies it
    assert.equal((await haldir(e, e.cfg, 'reload')).code, 0);
    await waitUntil(() => weightsOf(e)[key('127.0.36.1')] === 3, 15000, 'weight 3 after reload');
    assert.match(logText(), /Reloading Linux Director Daemon config on signal/);
    assert.match(logText(), /Starting Linux Director v1\.186-ha as daemon \(haldir /);

    // switch autoreload on (by signal), then a plain edit is applied by itself
    writeFileSync(e.cfg, cf({ ...base, autoreload: true, w1: 4 }));
    assert.equal((await haldir(e, e.cfg, 'force-reload')).code, 0);
    await waitUntil(() => weightsOf(e)[key('127.0.36.1')] === 4, 15000, 'weight 4');
    writeFileSync(e.cfg, cf({ ...base, autoreload: true, w1: 5 }));
    // applied by itself, no signal (latency is measured in bench/autoreload-bench.ts)
    await waitUntil(() => weightsOf(e)[key('127.0.36.1')] === 5, 15000, 'autoreload applied');

    // a broken edit with three mistakes: never applied, diagnostics logged, alert mailed
    const before = JSON.stringify(table(e));
    const good = cf({ ...base, autoreload: true, w1: 5 });
    writeFileSync(e.cfg, good.replace('checkinterval=1', 'checkintervall=1').replace('\tscheduler=wlc', '\tscheduler=wlc\n\tquiescent=maybe').replace(' masq 5', ' bogus 5'));
    await waitUntil(() => logText().includes('has errors; the running configuration stays in force'), 15000, 'rejection logged');
    await waitUntil(() => smtp.mails.some((m) => m.subject.includes('rejected')), 15000, 'rejection mail');
    const rejected = smtp.mails.find((m) => m.subject.includes('rejected'));
    assert.ok(rejected);
    assert.deepEqual(rejected.rcptTo, ['ops@example.com']);
    assert.match(rejected.text, /ldirectord\.cf:\d+:\d+: error\[/);
    assert.equal((logText().match(/ldirectord\.cf:\d+:\d+: error\[/g) ?? []).length >= 3, true, 'three diagnostics logged');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(JSON.stringify(table(e)), before, 'table unchanged by the broken config');
    // the daemon still checks: a real going down is still handled under the old config
    await reals[1]!.stop();
    await waitUntil(() => weightsOf(e)[key('127.0.36.2')] === undefined, 15000, 'dead real removed');
    const deleted = `Deleted real server: 127.0.36.2:${port} (10.201.0.1:80)`;
    await waitUntil(() => smtp.mails.some((m) => m.subject === deleted), 15000, 'mail for the deleted real');
    // fixing the file applies it
    writeFileSync(e.cfg, cf({ ...base, autoreload: true, w1: 6 }));
    await waitUntil(() => weightsOf(e)[key('127.0.36.1')] === 6, 15000, 'fixed config applied');

    // stop with cleanstop=yes: the virtual is gone, the pid file too
    assert.equal((await haldir(e, e.cfg, 'stop')).code, 0);
    await waitUntil(() => !existsSync(e.pid), 15000, 'pid file removed');
    assert.equal(table(e).services.length, 0);
    assert.match(logText(), /Linux Director Daemon terminated on signal: TERM/);
    assert.equal((await haldir(e, e.cfg, 'status')).code, 3);

    // restart with the table in place (cleanstop=no): healthy reals untouched
    await reals[1]!.start();
    writeFileSync(e.cfg, cf({ ...base, autoreload: true, w1: 1, cleanstop: false }));
    assert.equal(haldirStarted(await haldir(e, e.cfg, 'start')).code, 0);
    await waitUntil(() => Object.keys(weightsOf(e)).length === 2, 15000, 'both reals again');
    assert.equal((await haldir(e, e.cfg, 'stop')).code, 0);
    await waitUntil(() => !existsSync(e.pid), 15000, 'stopped');
    assert.equal(Object.keys(weightsOf(e)).length, 2, 'cleanstop=no keeps the table');
    const calls = () => readFileSync(join(dir, 'ipvsadm.log'), 'utf8').trim().split('\n').length;
    const n = calls();
    assert.equal(haldirStarted(await haldir(e, e.cfg, 'restart')).code, 0);
    await new Promise((r) => setTimeout(r, 3000));
    const after = readFileSync(join(dir, 'ipvsadm.log'), 'utf8').trim().split('\n').slice(n).map((l) => JSON.parse(l) as { argv: string[]; stdin?: string });
    const writes = after.filter((c) => c.argv.includes('-R') && (c.stdin ?? '').includes('-r'));
    assert.deepEqual(writes, [], 'no real server was touched on restart');
    assert.equal((await haldir(e, e.cfg, 'stop')).code, 0);
    await waitUntil(() => !existsSync(e.pid), 15000, 'stopped again');

    // a stale pid file (the pid of a process this test started and reaped): status 1
    writeFileSync(e.pid, `${reapedPid()}\n`);
    const stale = await haldir(e, e.cfg, 'status');
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /stale pid file/);
  } finally {
    for (const p of daemons) killIfStill(p, cli);
    await Promise.all(reals.map((r) => r.stop()));
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
