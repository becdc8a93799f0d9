// Differential test against ldirectord 4.12: for every fixture in test/fixtures/configs,
// haldir must accept exactly what ldirectord accepts and report its first error on the
// line ldirectord reports, apart from the documented deliberate fixes listed per fixture
// in expected.json. The recorded ldirectord outcomes keep the test meaningful without
// ldirectord; when it is installed, each outcome is re-checked live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLdirectordCfText } from '../../src/config/load.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { fixtureNames, readFixture, readManifest, type FixtureExpectation } from './fixture-manifest.js';
import { instantiate, ldirectordAvailable, runLdirectord, type OracleOutcome } from './ldirectord-oracle.js';

const manifest = readManifest();
const names = fixtureNames();

function haldirExpectation(e: FixtureExpectation): { valid: true } | { valid: false; line: number } {
  if (e.haldir) return e.haldir;
  if (e.ldirectord.exit === 3) return { valid: true };
  return { valid: false, line: e.ldirectord.line ?? -1 };
}

test('the corpus has at least 60 fixtures, valid and invalid, each with a recorded outcome', () => {
  assert.ok(names.length >= 60, `only ${names.length} fixtures`);
  for (const n of names) assert.ok(manifest[n], `${n} has no entry in expected.json`);
  const valid = names.filter((n) => manifest[n]!.ldirectord.exit === 3).length;
  const invalid = names.filter((n) => manifest[n]!.ldirectord.exit === 2).length;
  assert.ok(valid >= 30 && invalid >= 30, `valid=${valid} invalid=${invalid}`);
  assert.equal(valid + invalid, names.length, 'every recorded outcome is exit 3 (stopped, config fine) or 2 (config error)');
});

test('haldir matches ldirectord on every fixture (first error on the same line)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-diff-'));
  try {
    const failures: string[] = [];
    for (const name of names) {
      const e = manifest[name]!;
      const r = await parseLdirectordCfText(instantiate(readFixture(name), dir), name, { debug: !e.nodebug, hostname: 'haldir-test', dnsTimeoutMs: 3000 });
      const want = haldirExpectation(e);
      const firstError = r.diagnostics.find((d) => d.severity === 'error');
      const got = r.config ? 'valid' : `error at line ${firstError?.line}`;
      const expected = want.valid ? 'valid' : `error at line ${want.line}`;
      if (got !== expected) failures.push(`${name}: haldir ${got}, expected ${expected}${e.fix ? ` (fix: ${e.fix})` : ''}\n  ${r.diagnostics.map(formatDiagnostic).join('\n  ')}`);
      // Every invalid config must carry at least one error with a real line number.
      if (!r.config) assert.ok(firstError && firstError.line > 0, `${name}: error without a line`);
    }
    assert.deepEqual(failures, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every deliberate difference is one of the documented fixes and really differs', () => {
  for (const name of names) {
    const e = manifest[name]!;
    if (!e.fix) continue;
    assert.ok(['blank-line', 'inline-comment', 'extension', 'regex'].includes(e.fix), `${name}: unknown fix ${e.fix}`);
    assert.ok(e.haldir, `${name}: a fix needs haldir's own expectation`);
    const ldValid = e.ldirectord.exit === 3;
    const sameOutcome = e.haldir.valid ? ldValid : !ldValid && e.haldir.line === e.ldirectord.line;
    assert.ok(!sameOutcome, `${name}: marked as a fix but haldir and ldirectord agree`);
  }
});

test('live: ldirectord itself still gives the recorded outcome for every fixture', { skip: ldirectordAvailable() ? false : 'ldirectord/ipvsadm not installed (bash test/setup/system-deps.sh); recorded outcomes were still checked' }, async () => {
  const results = new Map<string, OracleOutcome>();
  const queue = [...names];
  await Promise.all(
    [0, 1, 2].map(async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        results.set(n, await runLdirectord(n, readFixture(n), { debug: !manifest[n]!.nodebug }));
      }
    }),
  );
  const diffs: string[] = [];
  for (const n of names) {
    const live = results.get(n)!;
    const rec = manifest[n]!.ldirectord;
    if (live.exit !== rec.exit || live.line !== rec.line) diffs.push(`${n}: live ${JSON.stringify(live)} recorded ${JSON.stringify(rec)}`);
  }
  assert.deepEqual(diffs, []);
});
