// External checks and VRRP notify/track scripts run with a clean environment: real
// scripts dump what they were given, while the test process (the stand-in for the
// daemon) holds a secret in its own environment.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkExternal } from '../../src/checks/external.js';
import { CHILD_PATH } from '../../src/runtime/child-env.js';
import { systemClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';
import { runNotify } from '../../src/vrrp/notify.js';
import { ScriptTracker } from '../../src/vrrp/track.js';
import { waitFor } from './fixtures.js';

const SECRET = 'HALDIR_TEST_DB_PASSWORD';
const ALLOWED = /^(PATH|LANG|LANGUAGE|LC_[A-Z]+|TZ)$/;

describe('child environment', () => {
  let dir: string;
  const saved: Record<string, string | undefined> = {};
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'haldir-childenv-'));
    for (const k of [SECRET, 'LANG', 'TZ']) saved[k] = process.env[k];
    process.env[SECRET] = 'hunter2';
    process.env.LANG = 'C.UTF-8';
    process.env.TZ = 'Europe/Berlin';
  });
  after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** A perl script (no shell adding variables of its own) that writes its environment to OUT. */
  function dumper(name: string, out: string, exitCode = 0): string {
    const p = join(dir, name);
    writeFileSync(p, `#!/usr/bin/perl\nopen(my $f, '>', '${out}') or die;\nprint $f "$_=$ENV{$_}\\n" for sort keys %ENV;\nclose $f;\nexit ${exitCode};\n`);
    chmodSync(p, 0o755);
    return p;
  }

  function envOf(file: string): Map<string, string> {
    return new Map(readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]));
  }

  function assertClean(env: Map<string, string>): void {
    assert.equal(env.has(SECRET), false, `the daemon's ${SECRET} leaked`);
    for (const k of env.keys()) assert.match(k, ALLOWED, `undocumented variable ${k}`);
    assert.equal(env.get('PATH'), CHILD_PATH);
    assert.equal(env.get('LANG'), 'C.UTF-8');
    assert.equal(env.get('TZ'), 'Europe/Berlin');
  }

  it('checktype=external', async () => {
    const out = join(dir, 'external.env');
    const res = await checkExternal('external', dumper('ext', out), ['10.0.0.1', '80', '127.0.0.1', '80'], AbortSignal.timeout(10_000));
    assert.equal(res.ok, true, res.message);
    assertClean(envOf(out));
  });

  it('checktype=external-perl', async () => {
    const out = join(dir, 'external-perl.env');
    const res = await checkExternal('external-perl', dumper('extperl', out), ['10.0.0.1', '80', '127.0.0.1', '80'], AbortSignal.timeout(10_000));
    assert.equal(res.ok, true, res.message);
    assertClean(envOf(out));
  });

  it('VRRP notify scripts', async () => {
    const out = join(dir, 'notify.env');
    await runNotify(new MemoryLogger(), [[dumper('notify', out), 'INSTANCE', 'VI_1', 'MASTER', '100']], 10_000);
    assertClean(envOf(out));
  });

  it('VRRP track scripts', async () => {
    const out = join(dir, 'track.env');
    const t = new ScriptTracker({ name: 'chk', argv: [dumper('track', out)], intervalMs: 60_000, timeoutMs: 10_000, rise: 1, fall: 1 }, systemClock({ unref: true }), () => {});
    t.start();
    try {
      await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('PATH='), 10_000, 'the track script to run');
    } finally {
      t.stop();
    }
    assertClean(envOf(out));
  });
});
