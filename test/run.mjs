#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner, whose
// closing summary ("# pass N", "# fail N") CI reads. `npm test` builds first (pretest).
// Optional filter: `npm test -- config ipvs` runs only files whose path contains a word.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
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
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
