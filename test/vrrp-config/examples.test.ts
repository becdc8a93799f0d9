// The pair examples' ldirectord.cf halves: real ldirectord 4.12 reads them without error,
// and they balance exactly the VIPs the vrrp.cf halves move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceEnv } from '../helpers/reference-daemon.js';
import { ROOT, parse, repoFile } from './helpers.js';

const PAIRS = [
  { dir: 'pair-single', vrrp: ['vrrp-single-lb01.cf', 'vrrp-single-lb02.cf'] },
  { dir: 'pair-dual', vrrp: ['vrrp-dual-director1.cf', 'vrrp-dual-director2.cf'] },
] as const;

const ldirectord = '/usr/sbin/ldirectord';

function requireLdirectord(): void {
  if (!existsSync(ldirectord)) throw new Error('ldirectord is not installed: run `bash test/setup/system-deps.sh` as root (test/setup/apt-packages.d/vrrp-config.txt lists it)');
}

/**
 * `ldirectord -d COPY status` on a copy of `file` in a temp dir: -d sends its log to
 * stderr instead of the host's /var/log/ldirectord.log, and the copy's unique name keeps
 * the pid file it reads (/var/run/ldirectord.NAME.pid) apart from a host ldirectord's.
 */
function ldirectordStatus(file: string): { status: number | null; output: string } {
  requireLdirectord();
  const dir = mkdtempSync(join(tmpdir(), 'haldir-vrrp-examples-'));
  try {
    const copy = join(dir, `haldir-examples-${process.pid}-${file.replace(/[^\w.-]/g, '_')}`);
    copyFileSync(file, copy);
    const r = spawnSync(ldirectord, ['-d', copy, 'status'], { cwd: dir, env: referenceEnv(dir), encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, output: (r.stdout ?? '') + (r.stderr ?? '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const p of PAIRS) {
  test(`${p.dir}/ldirectord.cf is read by ldirectord 4.12 without error`, () => {
    // `ldirectord FILE status` parses the whole file first (read_config dies on any error),
    // then reports "stopped" (exit 3) since no daemon runs for it.
    const r = ldirectordStatus(`${ROOT}etc/examples/${p.dir}/ldirectord.cf`);
    assert.equal(r.status, 3, r.output);
    assert.match(r.output, /ldirectord is stopped for/);
    assert.doesNotMatch(r.output, /Error/);
  });

  test(`${p.dir}: the ldirectord.cf virtuals are the VIPs the vrrp.cf files move`, () => {
    const virtuals = [...repoFile(`etc/examples/${p.dir}/ldirectord.cf`).matchAll(/^virtual=([\d.]+):80$/gm)].map((m) => m[1]).sort();
    for (const f of p.vrrp) {
      const c = parse(repoFile(`etc/examples/${f}`)).config;
      assert.ok(c, f);
      assert.deepEqual(c.instances.flatMap((i) => i.vips.map((v) => v.address)).sort(), virtuals, f);
    }
    assert.match(repoFile(`etc/examples/${p.dir}/ldirectord.cf`), /checktype=negotiate/);
    assert.match(repoFile(`etc/examples/${p.dir}/ldirectord.cf`), /service=http/);
  });
}

test('a broken ldirectord.cf makes the same ldirectord check fail (the check above can fail)', () => {
  const r = ldirectordStatus(`${ROOT}test/fixtures/keepalived/seed002-lb01.conf`);
  assert.notEqual(r.status, 3);
  assert.match(r.output, /Error/);
});
