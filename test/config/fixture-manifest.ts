// The recorded expectations for test/fixtures/configs: what ldirectord 4.12 did with each
// fixture (recorded by test/config/record-expected.ts, checked live by the differential
// test) and, for the documented deliberate differences, what haldir does instead.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OracleOutcome } from './ldirectord-oracle.js';

/** Why haldir differs from ldirectord on a fixture (docs/config.md lists each). */
export type Fix =
  | 'blank-line' // a blank line inside a section does not end it
  | 'inline-comment' // whitespace before an inline # comment is not part of the value
  | 'extension' // haldir-only directives (smtpuser, smtppasswd, smtptls)
  | 'regex'; // receive patterns JavaScript cannot express are rejected

export interface FixtureExpectation {
  readonly ldirectord: OracleOutcome;
  /** Run ldirectord without -d (the fixture checks logfile handling). */
  readonly nodebug?: boolean;
  readonly fix?: Fix;
  /** haldir's outcome when a fix applies: valid, or the line of its first error. */
  readonly haldir?: { readonly valid: true } | { readonly valid: false; readonly line: number };
}

export const FIXTURE_DIR = new URL('../../../test/fixtures/configs/', import.meta.url).pathname;
export const MANIFEST = join(FIXTURE_DIR, 'expected.json');

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.cf')).sort();
}

export function readFixture(name: string): string {
  return readFileSync(join(FIXTURE_DIR, name), 'utf8');
}

export function readManifest(): Record<string, FixtureExpectation> {
  return JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, FixtureExpectation>;
}
