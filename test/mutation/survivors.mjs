#!/usr/bin/env node
// Lists the surviving (and uncovered) mutants of a finished run, one line each:
// `node test/mutation/survivors.mjs MODULE` reads reports/mutation/MODULE.json.
import { readFileSync } from 'node:fs';

const name = process.argv[2];
if (!name) {
  console.error('usage: node test/mutation/survivors.mjs MODULE');
  process.exit(2);
}
const report = JSON.parse(readFileSync(new URL(`../../reports/mutation/${name}.json`, import.meta.url), 'utf8'));
const counts = {};
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const lines = source.split('\n');
  for (const m of mutants) {
    counts[m.status] = (counts[m.status] ?? 0) + 1;
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    const { line, column } = m.location.start;
    // Stryker reports 1-based lines and columns.
    const end = m.location.end;
    const orig = end.line === line ? lines[line - 1].slice(column - 1, end.column - 1) : `${lines[line - 1].slice(column - 1)}...`;
    console.log(`${file}:${line}:${column} ${m.mutatorName}: ${orig.trim().slice(0, 80)} -> ${(m.replacement ?? '').slice(0, 60)}`);
  }
}
const killed = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
const valid = killed + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
console.log(JSON.stringify(counts), `score ${valid ? ((100 * killed) / valid).toFixed(2) : 'n/a'}%`);
