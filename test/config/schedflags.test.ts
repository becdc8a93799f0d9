import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLdirectordCf } from '../../src/config/parse.js';
import { staticResolver } from '../../src/config/resolver.js';

const parse = (text: string) => parseLdirectordCf(text, { file: 't.cf', resolver: staticResolver({}), debug: true });

test('schedflags are checked against the scheduler at the end of the section (warning, as ldirectord accepts them)', () => {
  const bad = parse('virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n\tschedflags=sh-port\n\tscheduler=rr\n');
  assert.ok(bad.config, 'still accepted, like ldirectord');
  const w = bad.diagnostics.filter((d) => d.severity === 'warning');
  assert.equal(w.length, 1);
  assert.equal(w[0]!.code, 'W-VALUE');
  assert.equal(w[0]!.line, 3);
  assert.match(w[0]!.message, /only valid with scheduler=sh; this virtual uses rr/);

  const typo = parse('virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n\tschedflags=flag-9\n');
  assert.match(typo.diagnostics[0]?.message ?? '', /invalid scheduler flag `flag-9'/);

  // the scheduler given after the flags still counts
  const ok = parse('virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n\tschedflags=sh-port,sh-fallback\n\tscheduler=sh\n');
  assert.deepEqual(ok.diagnostics, []);
  assert.equal(ok.config?.virtuals[0]?.schedflags, 'sh-port,sh-fallback');
});
