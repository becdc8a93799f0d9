#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner, whose
// summary ("# pass N", "# fail N") CI reads. `npm test` builds first (pretest).
// Optional filter: `npm test -- config ipvs` runs only files whose path contains a word.
//
// Two phases: everything else two files at a time, then the tests that assert VRRP
// failover bounds (RFC 3768/5798 timers: 3 x advert_int + skew + 100 ms, skew + 100 ms)
// one file at a time, so a CPU-heavy neighbour (the 2,000-real scale test, the
// ldirectord differential runs) cannot steal the milliseconds those bounds measure.
import { readdirSync, statSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';

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
let pass = 0;
let fail = 0;
let status = 0;
phases.forEach((phase, i) => {
  const tap = join(tmp, `phase${i}.tap`);
  const r = spawnSync(
    process.execPath,
    [
      '--test',
      `--test-concurrency=${phase.concurrency}`,
      '--test-timeout=300000',
      '--test-reporter=tap',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...phase.files,
    ],
    { stdio: 'inherit', cwd: root },
  );
  if (r.status !== 0) status = r.status ?? 1;
  let text = '';
  try {
    text = readFileSync(tap, 'utf8');
  } catch {
    status ||= 1;
  }
  pass += Number(/^# pass (\d+)$/m.exec(text)?.[1] ?? 0);
  fail += Number(/^# fail (\d+)$/m.exec(text)?.[1] ?? 0);
});
rmSync(tmp, { recursive: true, force: true });
// One plain closing line for the whole run (both phases).
console.log(`\ntotal: ${pass} passed, ${fail} failed`);
process.exit(status || (fail > 0 ? 1 : 0));
