#!/usr/bin/env node
// `npm run mutation -- MODULE [MODULE...]`: one Stryker run per module, in order.
// `npm run mutation -- --survivors MODULE`: re-tests only the mutants that survived the
// last full run (reports/mutation/MODULE.json) and folds the new verdicts into that
// report, so a full re-run is not needed after adding tests. The sources must not have
// changed since the full run (only tests added); otherwise run the module in full.
// With no argument it lists the modules. Reports land in reports/mutation/MODULE.html.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { MUTATION_MODULES } from './modules.mjs';

const root = new URL('../..', import.meta.url).pathname;
const args = process.argv.slice(2);
const survivorsOnly = args.includes('--survivors');
const names = args.filter((a) => a !== '--survivors');
if (names.length === 0) {
  console.error(`usage: npm run mutation -- [--survivors] MODULE [MODULE...]\nmodules: ${Object.keys(MUTATION_MODULES).join(', ')}`);
  process.exit(2);
}
const unknown = names.filter((n) => !(n in MUTATION_MODULES));
if (unknown.length) {
  console.error(`unknown module(s): ${unknown.join(', ')}; known: ${Object.keys(MUTATION_MODULES).join(', ')}`);
  process.exit(2);
}

const reportPath = (name, suffix = '') => `${root}reports/mutation/${name}${suffix}.json`;
const open = (m) => m.status === 'Survived' || m.status === 'NoCoverage';
const same = (a, b) =>
  a.mutatorName === b.mutatorName &&
  a.replacement === b.replacement &&
  a.location.start.line === b.location.start.line &&
  a.location.start.column === b.location.start.column &&
  a.location.end.line === b.location.end.line &&
  a.location.end.column === b.location.end.column;

/** Stryker `mutate` ranges ("file:line:col-line:col") covering every open mutant. */
function survivorRanges(report) {
  const ranges = [];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const m of mutants.filter(open)) {
      const { start, end } = m.location;
      // Stryker's ranges take 0-based columns; its report gives 1-based ones.
      ranges.push(`${file}:${start.line}:${start.column - 1}-${end.line}:${end.column - 1}`);
    }
  }
  return ranges;
}

/** Copies the re-run's verdicts onto the open mutants of the full report. */
function fold(full, rerun) {
  for (const [file, f] of Object.entries(full.files)) {
    const left = f.mutants.filter(open);
    if (left.length === 0) continue; // not in the re-run
    if (f.source !== rerun.files[file]?.source) throw new Error(`${file} changed since the full run: run the module in full`);
    for (const m of left) {
      const again = rerun.files[file].mutants.find((x) => same(x, m));
      if (again) m.status = again.status;
    }
  }
  return full;
}

let status = 0;
for (const name of names) {
  const env = { ...process.env, HALDIR_MUTATION_MODULE: name };
  let full;
  if (survivorsOnly) {
    if (!existsSync(reportPath(name))) {
      console.error(`no report for ${name}: run \`npm run mutation -- ${name}\` first`);
      status = 2;
      continue;
    }
    full = JSON.parse(readFileSync(reportPath(name), 'utf8'));
    const ranges = survivorRanges(full);
    if (ranges.length === 0) {
      console.log(`${name}: no surviving mutants`);
      continue;
    }
    env.HALDIR_MUTATION_RANGES = JSON.stringify(ranges);
    // Stryker overwrites MODULE.json with the re-run alone: keep the full run aside.
    writeFileSync(reportPath(name, '.full'), JSON.stringify(full));
  }
  const r = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    status = r.status ?? 1;
    continue;
  }
  if (full) {
    // The Stryker run wrote only the re-tested mutants to MODULE.json: keep it aside and
    // put the folded full report in its place.
    renameSync(reportPath(name), reportPath(name, '.rerun'));
    writeFileSync(reportPath(name), JSON.stringify(fold(full, JSON.parse(readFileSync(reportPath(name, '.rerun'), 'utf8')))));
    console.log(`${name}: survivors re-tested; \`node test/mutation/survivors.mjs ${name}\` shows the folded result`);
  }
}
process.exit(status);
