// Differential test against ldirectord 4.12: for every fixture in test/fixtures/configs,
// haldir must accept exactly what ldirectord accepts and report its first error on the
// line ldirectord reports, with an error of the same kind as ldirectord's message, apart
// from the documented deliberate fixes listed per fixture in expected.json. The recorded
// ldirectord outcomes (exit, line and message) are re-checked live against ldirectord.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLdirectordCfText } from '../../src/config/load.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { fixtureNames, readFixture, readManifest, type FixtureExpectation } from './fixture-manifest.js';
import { instantiate, requireLdirectord, runLdirectord, type OracleOutcome } from './ldirectord-oracle.js';

const manifest = readManifest();
const names = fixtureNames();

function haldirExpectation(e: FixtureExpectation): { valid: true } | { valid: false; line: number } {
  if (e.haldir) return e.haldir;
  if (e.ldirectord.exit === 3) return { valid: true };
  return { valid: false, line: e.ldirectord.line ?? -1 };
}

/**
 * What an ldirectord error message means, as the haldir error codes that say the same
 * thing. haldir words its messages differently (they say how to fix the line), so the
 * comparison is by meaning: every recorded message must fall under one of these kinds,
 * and haldir's first error must carry one of the kind's codes. First match wins.
 */
const MEANINGS: readonly { readonly ld: RegExp; readonly codes: readonly string[] }[] = [
  // ldirectord's catch-all for a line it cannot read: an unknown name, a stray indent,
  // an unquoted request/receive
  { ld: /^Unknown command/, codes: ['E-UNKNOWN-DIRECTIVE', 'E-INDENT', 'E-NOT-QUOTED'] },
  // it also says "duplicate" for a section that ends with no real (an empty virtual)
  { ld: /^duplicate virtual server$/, codes: ['E-DUPLICATE-VIRTUAL', 'E-EMPTY-VIRTUAL'] },
  { ld: /directive deprecated in favour of/, codes: ['E-DEPRECATED'] },
  { ld: /^cannot specify /, codes: ['E-FAMILY'] },
  { ld: /^unable to open /, codes: ['E-FILE'] },
  { ld: /^forward method must be gate, masq or ipip$/, codes: ['E-FORWARD', 'E-REAL-SYNTAX'] },
  { ld: /^Invalid Range: |^Address range for IPv6 is not supported/, codes: ['E-RANGE'] },
  { ld: /^Invalid real server line|^invalid address for real server \(wrong format\)$/, codes: ['E-REAL-SYNTAX'] },
  { ld: /could not resolve|^invalid address for virtual service$|^invalid port for fallback server$/, codes: ['E-RESOLVE'] },
  { ld: /^invalid (ipv6 )?address for virtual server$/, codes: ['E-BAD-ADDRESS'] },
  { ld: /must be |^invalid |not specified$|^no .* specified$/, codes: ['E-BAD-VALUE'] },
];

function meaningOf(message: string | undefined): (typeof MEANINGS)[number] | undefined {
  return message === undefined ? undefined : MEANINGS.find((m) => m.ld.test(message));
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
      // Same line and, unless a documented fix changes the outcome, the same kind of error.
      if (got === expected && !want.valid && !e.fix) {
        const meaning = meaningOf(e.ldirectord.message);
        if (!meaning) failures.push(`${name}: ldirectord's message ${JSON.stringify(e.ldirectord.message)} has no entry in MEANINGS`);
        else if (!meaning.codes.includes(firstError?.code ?? '')) failures.push(`${name}: ldirectord says ${JSON.stringify(e.ldirectord.message)}, haldir ${firstError?.code}: ${firstError?.message} (expected ${meaning.codes.join(' or ')})`);
      }
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

test('live: ldirectord itself still gives the recorded outcome (exit, line, message) for every fixture', async () => {
  requireLdirectord();
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
    if (live.exit !== rec.exit || live.line !== rec.line || live.message !== rec.message) diffs.push(`${n}: live ${JSON.stringify(live)} recorded ${JSON.stringify(rec)}`);
  }
  assert.deepEqual(diffs, []);
});
