#!/usr/bin/env node
// `npm run mutation -- MODULE [MODULE...]`: one Stryker run per module, in order.
// With no argument it lists the modules. Reports land in reports/mutation/MODULE.html.
import { spawnSync } from 'node:child_process';
import { MUTATION_MODULES } from './modules.mjs';

const root = new URL('../..', import.meta.url).pathname;
const names = process.argv.slice(2);
if (names.length === 0) {
  console.error(`usage: npm run mutation -- MODULE [MODULE...]\nmodules: ${Object.keys(MUTATION_MODULES).join(', ')}`);
  process.exit(2);
}
const unknown = names.filter((n) => !(n in MUTATION_MODULES));
if (unknown.length) {
  console.error(`unknown module(s): ${unknown.join(', ')}; known: ${Object.keys(MUTATION_MODULES).join(', ')}`);
  process.exit(2);
}
let status = 0;
for (const name of names) {
  const r = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, HALDIR_MUTATION_MODULE: name },
  });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
