// The pair examples' ldirectord.cf halves: real ldirectord 4.12 reads them without error,
// and they balance exactly the VIPs the vrrp.cf halves move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ROOT, parse, repoFile } from './helpers.js';

const PAIRS = [
  { dir: 'pair-single', vrrp: ['vrrp-single-lb01.cf', 'vrrp-single-lb02.cf'] },
  { dir: 'pair-dual', vrrp: ['vrrp-dual-director1.cf', 'vrrp-dual-director2.cf'] },
] as const;

const ldirectord = '/usr/sbin/ldirectord';

for (const p of PAIRS) {
  test(`${p.dir}/ldirectord.cf is read by ldirectord 4.12 without error`, { skip: existsSync(ldirectord) ? false : 'ldirectord is not installed (test/setup/apt-packages.d/vrrp-config.txt)' }, () => {
    // `ldirectord FILE status` parses the whole file first (read_config dies on any error),
    // then reports "stopped" (exit 3) since no daemon runs for it.
    const file = `${ROOT}etc/examples/${p.dir}/ldirectord.cf`;
    const r = spawnSync(ldirectord, [file, 'status'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 3, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /ldirectord is stopped for/);
    assert.doesNotMatch(r.stdout + r.stderr, /Error/);
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

test('a broken ldirectord.cf makes the same ldirectord check fail (the check above can fail)', { skip: existsSync(ldirectord) ? false : 'ldirectord is not installed' }, () => {
  const r = spawnSync(ldirectord, [`${ROOT}test/fixtures/keepalived/seed002-lb01.conf`, 'status'], { encoding: 'utf8', timeout: 30_000 });
  assert.notEqual(r.status, 3);
  assert.match(r.stdout + r.stderr, /Error/);
});
