#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner, whose
// summary ("# pass N", "# fail N", "# skipped N") CI reads. `npm test` builds first (pretest).
// Optional filter: `npm test -- config ipvs` runs only files whose path contains a word.
//
// Two phases: everything else two files at a time, then the tests that assert VRRP
// failover bounds (RFC 3768/5798 timers: 3 x advert_int + skew + 100 ms, skew + 100 ms)
// one file at a time, so a CPU-heavy neighbour (the 2,000-real scale test, the
// ldirectord differential runs) cannot steal the milliseconds those bounds measure.
//
// A skipped test fails the run (a test that did not run proves nothing) unless
// HALDIR_ALLOW_SKIP=1 is set, for local runs without root. After the tests the runner
// checks that they left nothing behind (test/setup/leak-check.mjs says how).
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { accountNames, collectLeakedProcesses, listTree, netnsNames, removeNetns } from './setup/leak-check.mjs';

const isRoot = process.getuid?.() === 0;

// Re-run this script as a child subreaper (orphans of the tests are reparented to it)
// and, as root, in a private mount namespace with its own /run/netns. perl is already a
// dependency (ldirectord); syscall.ph comes with Debian's perl.
const PRCTL = 'require "syscall.ph"; syscall(&SYS_prctl, 36, 1, 0, 0, 0) == 0 or die "prctl(PR_SET_CHILD_SUBREAPER): $!\n"; exec @ARGV or die "exec $ARGV[0]: $!\n"';
if (process.env.HALDIR_TEST_ISOLATED !== '1') {
  const self = [process.execPath, new URL(import.meta.url).pathname, ...process.argv.slice(2)];
  const wrap = ['perl', '-e', PRCTL, ...self];
  const cmd = isRoot ? ['unshare', '--mount', '--propagation', 'private', ...wrap] : wrap;
  const env = { ...process.env, HALDIR_TEST_ISOLATED: '1', HALDIR_TEST_RUN: process.env.HALDIR_TEST_RUN ?? randomBytes(6).toString('hex') };
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env });
  if (r.error) {
    console.error(`test runner: cannot start ${cmd[0]}: ${r.error.message} (util-linux and perl are in test/setup/apt-packages.d/core.txt)`);
    process.exit(1);
  }
  process.exit(r.status ?? 1);
}
if (isRoot) {
  // Only this run's namespaces appear here; the host's /run/netns is untouched.
  mkdirSync('/run/netns', { recursive: true });
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'mode=0755,size=1m', 'haldir-test-netns', '/run/netns'], { encoding: 'utf8' });
  if (m.status !== 0) {
    console.error(`test runner: cannot mount a private /run/netns: ${m.stderr}`);
    process.exit(1);
  }
}

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'dist', 'test');
function walk(d) {
  const out = [];
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const filters = process.argv.slice(2);
let files = walk(dir).sort();
if (filters.length) files = files.filter((f) => filters.some((w) => relative(dir, f).includes(w)));
if (files.length === 0) {
  console.error('no test files found under dist/test (did the build run?)');
  process.exit(1);
}
const timingBound = (f) => /^(vrrp|e2e|splitbrain)\//.test(relative(dir, f));
const phases = [
  { files: files.filter((f) => !timingBound(f)), concurrency: 2 },
  { files: files.filter(timingBound), concurrency: 1 },
].filter((p) => p.files.length > 0);

const tmp = mkdtempSync(join(tmpdir(), 'haldir-test-run-'));
chmodSync(tmp, 0o755);
// The tests' TMPDIR: whatever is left in it at the end was left by this run. Sticky and
// world-writable like /tmp, since daemons under test run as their own users.
const testTmp = join(tmp, 'tmp');
mkdirSync(testTmp);
chmodSync(testTmp, 0o1777);
const accountsBefore = accountNames();
const pamBefore = new Set(listTree('/etc/pam.d'));
let pass = 0;
let fail = 0;
let skipped = 0;
let status = 0;
const skips = [];
const leaks = [];
phases.forEach((phase, i) => {
  const tap = join(tmp, `phase${i}.tap`);
  const r = spawnSync(
    process.execPath,
    [
      '--test',
      `--test-concurrency=${phase.concurrency}`,
      '--test-timeout=600000',
      '--test-reporter=tap',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...phase.files,
    ],
    { stdio: 'inherit', cwd: root, env: { ...process.env, TMPDIR: testTmp } },
  );
  if (r.status !== 0) status = r.status ?? 1;
  let text = '';
  try {
    text = readFileSync(tap, 'utf8');
  } catch {
    status ||= 1;
  }
  pass += Number(/^# pass (\d+)$/m.exec(text)?.[1] ?? 0);
  // a cancelled test (file timeout, crash) did not pass: it counts as failed
  fail += Number(/^# fail (\d+)$/m.exec(text)?.[1] ?? 0) + Number(/^# cancelled (\d+)$/m.exec(text)?.[1] ?? 0);
  // The summary counts skipped tests but not a skipped suite (describe), so the SKIP/TODO
  // lines are counted too and the larger number is reported.
  const skipLines = [...text.matchAll(/^\s*(?:not )?ok \d+ - (.*?) # (SKIP|TODO)\b ?(.*)$/gm)].map((m) => `${m[1]}: ${m[3] || m[2]}`);
  skips.push(...skipLines);
  skipped += Math.max(Number(/^# skipped (\d+)$/m.exec(text)?.[1] ?? 0) + Number(/^# todo (\d+)$/m.exec(text)?.[1] ?? 0), skipLines.length);
  // Checked after each phase, so the timing-bound phase never runs beside a leak.
  for (const p of collectLeakedProcesses()) leaks.push(`process ${p.pid} still running after phase ${i + 1} (killed now): ${p.cmd}`);
  // Only the run's private /run/netns (root) says what this run created; unprivileged
  // tests cannot create namespaces at all.
  const ns = isRoot ? netnsNames() : [];
  for (const n of ns) leaks.push(`network namespace ${n} left after phase ${i + 1} (deleted now)`);
  removeNetns(ns);
});
for (const a of accountNames()) if (!accountsBefore.has(a)) leaks.push(`${a} added to /etc during the run (remove it with userdel/groupdel)`);
for (const f of listTree('/etc/pam.d')) if (!pamBefore.has(f)) leaks.push(`/etc/pam.d/${f} added during the run`);
for (const f of listTree(testTmp)) leaks.push(`${join(testTmp, f)} left in the run's TMPDIR`);
rmSync(tmp, { recursive: true, force: true });

// The runner's own checks, one line each, then one plain closing line for the whole run.
const allowSkip = process.env.HALDIR_ALLOW_SKIP === '1';
console.log('\n# runner checks');
console.log(`#   skipped tests: ${skipped === 0 ? 'none' : `${skipped}${allowSkip ? ' (allowed: HALDIR_ALLOW_SKIP=1)' : ' (fails the run; HALDIR_ALLOW_SKIP=1 allows it locally)'}`}`);
for (const s of skips) console.log(`#     skipped: ${s}`);
console.log(`#   left behind (processes, network namespaces, accounts, PAM services, temp files): ${leaks.length === 0 ? 'nothing' : leaks.length}`);
for (const l of leaks) console.log(`#     ${l}`);
console.log(`\ntotal: ${pass} passed, ${fail} failed, ${skipped} skipped`);
const ok = status === 0 && fail === 0 && leaks.length === 0 && (skipped === 0 || allowSkip);
process.exit(ok ? 0 : status || 1);
