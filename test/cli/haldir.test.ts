// The built binary, spawned: exit codes and output of configtest, help, version, usage,
// config lookup order, and the config gate in front of the daemon commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../src/cli/haldir.js', import.meta.url).pathname;
const GOOD = 'virtual=127.0.0.1:80\n\treal=127.0.0.2:80 gate\n\treal=127.0.0.3:80 gate\n';
const THREE_MISTAKES = 'checktimeout=5\nautoreload=sometimes\nvirtual=127.0.0.1:80\n\treal=127.0.0.2:80 gate\n\tschedulr=rr\n\treal=127.0.0.3:80 gaet\n';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], opts: { cwd: string; confDir: string }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: { ...process.env, HALDIR_CONFDIR: opts.confDir }, timeout: 30000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

async function withDir(fn: (dir: string, confDir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-cli-'));
  const confDir = join(dir, 'ha.d');
  mkdirSync(join(confDir, 'conf'), { recursive: true });
  try {
    await fn(dir, confDir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('configtest of a valid config: exit 0 and an ok line', () =>
  withDir(async (dir, confDir) => {
    writeFileSync(join(dir, 'good.cf'), GOOD);
    const r = await run(['configtest', 'good.cf'], { cwd: dir, confDir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'good.cf: ok (1 virtual service, 2 real servers)\n');
    assert.equal(r.stderr, '');
    const t = await run(['-t', 'good.cf'], { cwd: dir, confDir });
    assert.equal(t.code, 0);
  }));

test('configtest of a config with three mistakes: three diagnostics on the right lines, exit 1', () =>
  withDir(async (dir, confDir) => {
    writeFileSync(join(dir, 'bad.cf'), THREE_MISTAKES);
    const r = await run(['configtest', 'bad.cf'], { cwd: dir, confDir });
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 3, r.stderr);
    assert.match(lines[0]!, /^bad\.cf:2:12: error\[E-BAD-VALUE\]: autoreload must be 'yes' or 'no'/);
    assert.match(lines[1]!, /^bad\.cf:5:2: error\[E-UNKNOWN-DIRECTIVE\]: unknown directive `schedulr` \(did you mean `scheduler`\?\)/);
    assert.match(lines[2]!, /^bad\.cf:6:\d+: error\[E-FORWARD\]: forward method `gaet` must be gate, masq or ipip/);
    assert.match(r.stdout, /bad\.cf: 3 errors, 0 warnings/);
  }));

test('configtest --json prints the model', () =>
  withDir(async (dir, confDir) => {
    writeFileSync(join(dir, 'good.cf'), GOOD);
    const r = await run(['configtest', '--json', 'good.cf'], { cwd: dir, confDir });
    assert.equal(r.code, 0);
    const model = JSON.parse(r.stdout) as { virtuals: { id: string; reals: { address: string }[] }[]; global: { checkinterval: number } };
    assert.deepEqual(model.virtuals.map((v) => v.id), ['tcp:127.0.0.1:80']);
    assert.deepEqual(model.virtuals[0]!.reals.map((x) => x.address), ['127.0.0.2', '127.0.0.3']);
    assert.equal(model.global.checkinterval, 10);
  }));

test('-h, -v, bad usage (255)', () =>
  withDir(async (dir, confDir) => {
    const h = await run(['-h'], { cwd: dir, confDir });
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^Usage: haldir /);
    const v = await run(['--version'], { cwd: dir, confDir });
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^haldir \d+\.\d+\.\d+ .*Linux Director v1\.186-ha/);
    for (const args of [[], ['bogus'], ['x.cf', 'frobnicate'], ['--nope', 'start']]) {
      const u = await run(args, { cwd: dir, confDir });
      assert.equal(u.code, 255, args.join(' '));
      assert.match(u.stderr, /Usage: haldir/);
    }
  }));

test('config lookup order: CONFDIR/NAME, CONFDIR/conf/NAME, then NAME; missing -> exit 1', () =>
  withDir(async (dir, confDir) => {
    const virtuals = (n: number): string => Array.from({ length: n }, (_, i) => `virtual=127.0.0.1:${8000 + i}\n\treal=127.0.0.2:80 gate\n`).join('');
    const count = async (): Promise<string> => (await run(['configtest', 'site.cf'], { cwd: dir, confDir })).stdout;
    const missing = await run(['configtest', 'site.cf'], { cwd: dir, confDir });
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Config file site.cf not found\n');
    writeFileSync(join(dir, 'site.cf'), virtuals(1));
    assert.match(await count(), /^site\.cf: ok \(1 virtual service/);
    writeFileSync(join(confDir, 'conf', 'site.cf'), virtuals(2));
    assert.match(await count(), /conf\/site\.cf: ok \(2 virtual services/);
    writeFileSync(join(confDir, 'site.cf'), virtuals(3));
    assert.match(await count(), /ha\.d\/site\.cf: ok \(3 virtual services/);
    writeFileSync(join(confDir, 'ldirectord.cf'), virtuals(4));
    assert.match((await run(['configtest'], { cwd: dir, confDir })).stdout, /ldirectord\.cf: ok \(4 virtual services/);
  }));

test('daemon commands: a broken config stops start with exit 2 (ldirectord format); status/stop of a running daemon only warn', () =>
  withDir(async (dir, confDir) => {
    writeFileSync(join(dir, 'bad.cf'), THREE_MISTAKES);
    writeFileSync(join(dir, 'good.cf'), GOOD);
    const start = await run(['bad.cf', 'start'], { cwd: dir, confDir });
    assert.equal(start.code, 2);
    assert.match(start.stderr, /^Error \[\d+\] reading file bad\.cf at line 2: autoreload must be 'yes' or 'no'/);
    assert.doesNotMatch(start.stderr, /not implemented/);
    // no daemon running: like ldirectord, status is a config check (exit 2, the line named)
    const pidFile = join(dir, 'site.pid');
    const idle = await run(['--pidfile', pidFile, 'bad.cf', 'status'], { cwd: dir, confDir });
    assert.equal(idle.code, 2);
    assert.match(idle.stderr, /^Error \[\d+\] reading file bad\.cf at line 2: autoreload/);
    // a running daemon whose file was then broken: status and stop still work (README, "Differences from ldirectord")
    writeFileSync(join(dir, 'site.cf'), GOOD);
    const up = await run(['--backend', 'memory', '--pidfile', pidFile, join(dir, 'site.cf'), 'start'], { cwd: dir, confDir });
    assert.equal(up.code, 0, up.stderr);
    try {
      writeFileSync(join(dir, 'site.cf'), THREE_MISTAKES);
      const status = await run(['--pidfile', pidFile, join(dir, 'site.cf'), 'status'], { cwd: dir, confDir });
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stderr, /^Warning \[\d+\] reading file .*site\.cf at line 2: autoreload/);
      assert.match(status.stderr, /continuing with status anyway/);
      assert.match(status.stderr, /is running with pid: \d+/);
      const stop = await run(['--pidfile', pidFile, join(dir, 'site.cf'), 'stop'], { cwd: dir, confDir });
      assert.equal(stop.code, 0, stop.stderr);
      for (let i = 0; i < 200 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(existsSync(pidFile), false, 'the daemon stopped');
    } finally {
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  }));
