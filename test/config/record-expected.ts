// Re-records ldirectord's outcome for every fixture into expected.json, keeping the
// hand-written fields (nodebug, fix, haldir). Run: node dist/test/config/record-expected.js
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { MANIFEST, fixtureNames, readFixture, type FixtureExpectation } from './fixture-manifest.js';
import { runLdirectord } from './ldirectord-oracle.js';

const old: Record<string, FixtureExpectation> = existsSync(MANIFEST) ? JSON.parse(readFileSync(MANIFEST, 'utf8')) : {};
const out: Record<string, FixtureExpectation> = {};
for (const name of fixtureNames()) {
  const prev = old[name];
  const nodebug = prev?.nodebug ?? false;
  const ld = await runLdirectord(name, readFixture(name), { debug: !nodebug });
  out[name] = { ...prev, ldirectord: ld };
  process.stdout.write(`${name}: ${JSON.stringify(ld)}\n`);
}
writeFileSync(MANIFEST, JSON.stringify(out, null, 2) + '\n');
