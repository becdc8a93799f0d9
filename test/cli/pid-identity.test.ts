// A pid file proves its owner: both binaries, with a stale pid file whose pid now belongs
// to an unrelated process this test started (`tail -f` of a log, whose command line
// names haldir), never report it as running and never signal it; and neither program
// takes the other's daemon for its own. The tail must still follow its file at the end
// (a SIGHUP or SIGTERM would have ended it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLan, isRoot, rootSkipReason, type Lan } from '../helpers/netns/lan.js';
import { vrrpCf } from '../vrrp/helpers/peers.js';

const HALDIR = new URL('../../src/cli/haldir.js', import.meta.url).pathname;
const VRRP = new URL('../../src/cli/haldir-vrrp.js', import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { env, timeout: 30000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `tail -f FILE`: an unrelated long-running process whose command line contains "haldir". */
class Tail {
  readonly proc: ChildProcess;
  private out = '';
  exited = false;
  constructor(readonly file: string) {
    writeFileSync(file, '');
    this.proc = spawn('tail', ['-n', '0', '-f', file], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.proc.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
    this.proc.on('exit', () => (this.exited = true));
  }
  get pid(): number {
    return this.proc.pid!;
  }
  /** Proves the tail is alive and unharmed: a line appended now comes out of it. */
  async assertFollowing(marker: string): Promise<void> {
    appendFileSync(this.file, `${marker}\n`);
    await waitFor(() => this.out.includes(marker) || this.exited, 15000, `tail to print ${marker}`);
    assert.equal(this.exited, false, `the unrelated tail (pid ${this.pid}) was killed`);
  }
  stop(): void {
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}

/** SIGKILLs a daemon this test started, if that pid still runs one of our binaries. */
function killOurDaemon(pid: number | undefined): void {
  if (pid === undefined) return;
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (cmd.includes(HALDIR) || cmd.includes(VRRP)) process.kill(pid, 'SIGKILL');
}

/** Pids of live processes whose command line names `file` (our daemons for that config). */
function ourProcesses(file: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').includes(file)) out.push(Number(e));
    } catch {
      /* exited */
    }
  }
  return out;
}

function pidIn(file: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

test('haldir: a stale pid file naming `tail -f .../haldir.log` is stale for status, stop, reload and start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-pidid-'));
  const tail = new Tail(join(dir, 'haldir.log'));
  const pidFile = join(dir, 'haldir.site.cf.pid');
  const cf = join(dir, 'site.cf');
  const env = { ...process.env, HALDIR_CONFDIR: join(dir, 'none') };
  writeFileSync(cf, `logfile="${join(dir, 'daemon.log')}"\ncheckinterval=1\nvirtual=127.0.0.1:80\n\treal=127.0.0.2:80 gate\n\tchecktype=on\n`);
  const haldir = (...args: string[]) => run([process.execPath, HALDIR, '--backend', 'memory', '--pidfile', pidFile, cf, ...args], env);
  let daemon: number | undefined;
  try {
    await waitFor(() => existsSync(`/proc/${tail.pid}/cmdline`) && readFileSync(`/proc/${tail.pid}/cmdline`, 'utf8').includes('haldir.log'), 10000, 'tail to start');
    writeFileSync(pidFile, `${tail.pid}\n`);

    const status = await haldir('status');
    assert.equal(status.code, 1, `status: stale pid file (LSB 1), not running: ${status.stderr}`);
    assert.match(status.stderr, /stale pid file/);
    const reload = await haldir('reload');
    assert.equal(reload.code, 1, `reload of a stopped daemon exits 1: ${reload.stderr}`);
    const stop = await haldir('stop');
    assert.equal(stop.code, 0, stop.stderr);
    await tail.assertFollowing('after haldir status, reload and stop');

    const start = await haldir('start');
    assert.equal(start.code, 0, start.stderr);
    daemon = pidIn(pidFile);
    assert.ok(daemon !== undefined && daemon !== tail.pid, `start started a daemon and wrote its pid (pid file: ${daemon})`);
    const running = await haldir('status');
    assert.equal(running.code, 0, running.stderr);
    assert.match(running.stderr, new RegExp(`is running with pid: ${daemon}\\b`));
    // restart and try-restart replace the daemon (the detached child is told `start`)
    for (const cmd of ['restart', 'try-restart']) {
      const before: number | undefined = daemon;
      const r = await haldir(cmd);
      assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
      daemon = pidIn(pidFile);
      assert.ok(daemon !== undefined && daemon !== before, `${cmd} started a new daemon (pid file: ${daemon}, was ${before})`);
      assert.equal((await haldir('status')).code, 0, `running after ${cmd}`);
    }
    const stopped = await haldir('stop');
    assert.equal(stopped.code, 0, stopped.stderr);
    await waitFor(() => !existsSync(pidFile), 15000, 'the daemon to stop and remove its pid file');
    daemon = undefined;
    await tail.assertFollowing('after haldir start and stop');
  } finally {
    killOurDaemon(daemon);
    tail.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('haldir-vrrp: a stale pid file naming `tail -f`, and each program refusing the other\'s daemon', { skip: isRoot() ? false : rootSkipReason }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-vrrp-pidid-'));
  const tail = new Tail(join(dir, 'haldir-vrrp.log'));
  const pidFile = join(dir, 'haldir-vrrp.pid');
  const haldirPid = join(dir, 'haldir.site.cf.pid');
  const cf = join(dir, 'vrrp.cf');
  const site = join(dir, 'site.cf');
  writeFileSync(site, `logfile="${join(dir, 'daemon.log')}"\nvirtual=127.0.0.1:80\n\treal=127.0.0.2:80 gate\n\tchecktype=on\n`);
  const env = { ...process.env, HALDIR_CONFDIR: join(dir, 'none') };
  let lan: Lan | undefined;
  let daemon: number | undefined;
  let hdaemon: number | undefined;
  try {
    lan = await createLan(['a'], { label: 'pidid' });
    const ns = lan.nodes.a!.ns;
    writeFileSync(cf, vrrpCf({ vrid: 77, version: 3, advertInt: 0.1, priority: 200, vips: [`${lan.subnet4}.100/24`] }, 'pidid'));
    const vrrp = (...args: string[]) => run(['ip', 'netns', 'exec', ns, process.execPath, VRRP, '--pidfile', pidFile, cf, ...args]);
    await waitFor(() => existsSync(`/proc/${tail.pid}/cmdline`) && readFileSync(`/proc/${tail.pid}/cmdline`, 'utf8').includes('haldir-vrrp.log'), 10000, 'tail to start');
    writeFileSync(pidFile, `${tail.pid}\n`);

    const status = await vrrp('status');
    assert.equal(status.code, 3, `status: not running: ${status.stdout}${status.stderr}`);
    const reload = await vrrp('reload');
    assert.equal(reload.code, 7, `reload: not running: ${reload.stdout}${reload.stderr}`);
    const stop = await vrrp('stop');
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /is not running/);
    await tail.assertFollowing('after haldir-vrrp status, reload and stop');

    writeFileSync(pidFile, `${tail.pid}\n`);
    const start = await vrrp('start');
    assert.equal(start.code, 0, `start must not take the tail for a running daemon: ${start.stderr}`);
    daemon = pidIn(pidFile);
    assert.ok(daemon !== undefined && daemon !== tail.pid, `start wrote the new daemon's pid (pid file: ${daemon})`);
    assert.equal((await vrrp('status')).code, 0, 'the new daemon is running');
    // restart: one new daemon (the detached child starts, it does not restart again)
    const before: number | undefined = daemon;
    const restart = await vrrp('restart');
    assert.equal(restart.code, 0, restart.stderr);
    daemon = pidIn(pidFile);
    assert.ok(daemon !== undefined && daemon !== before, `restart started a new daemon (pid file: ${daemon}, was ${before})`);
    assert.equal((await vrrp('status')).code, 0, 'running after restart');
    assert.deepEqual(ourProcesses(cf), [daemon], 'exactly one haldir-vrrp process for this config');

    // haldir's pid file naming the running haldir-vrrp daemon: not haldir's daemon.
    writeFileSync(haldirPid, `${daemon}\n`);
    const haldir = (...args: string[]) => run([process.execPath, HALDIR, '--backend', 'memory', '--pidfile', haldirPid, site, ...args], env);
    const hs = await haldir('status');
    assert.equal(hs.code, 1, `haldir status with haldir-vrrp's pid: stale: ${hs.stderr}`);
    assert.equal((await haldir('reload')).code, 1);
    assert.equal((await haldir('stop')).code, 0);
    const still = await vrrp('status');
    assert.equal(still.code, 0, 'haldir stop/reload left the haldir-vrrp daemon alone');
    assert.match(still.stdout, new RegExp(`running with pid: ${daemon}\\b`));

    // and haldir-vrrp's pid file naming a haldir daemon: not haldir-vrrp's daemon.
    rmSync(haldirPid);
    const hstart = await haldir('start');
    assert.equal(hstart.code, 0, hstart.stderr);
    hdaemon = pidIn(haldirPid);
    assert.ok(hdaemon !== undefined);
    const other = join(dir, 'other-vrrp.pid');
    writeFileSync(other, `${hdaemon}\n`);
    const vs = await run(['ip', 'netns', 'exec', ns, process.execPath, VRRP, '--pidfile', other, cf, 'status']);
    assert.equal(vs.code, 3, `haldir-vrrp status with haldir's pid: not running: ${vs.stdout}`);
    assert.equal((await run(['ip', 'netns', 'exec', ns, process.execPath, VRRP, '--pidfile', other, cf, 'stop'])).code, 0);
    const hs2 = await haldir('status');
    assert.equal(hs2.code, 0, `haldir-vrrp stop left the haldir daemon alone: ${hs2.stderr}`);
    assert.equal((await haldir('stop')).code, 0);
    await waitFor(() => !existsSync(haldirPid), 15000, 'the haldir daemon to stop');
    hdaemon = undefined;

    const vstop = await vrrp('stop');
    assert.equal(vstop.code, 0, vstop.stderr + vstop.stdout);
    await waitFor(() => !existsSync(pidFile), 15000, 'the haldir-vrrp daemon to stop');
    daemon = undefined;
    await tail.assertFollowing('after haldir-vrrp start and stop');
  } finally {
    killOurDaemon(daemon);
    killOurDaemon(hdaemon);
    tail.stop();
    await lan?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
