// The shipped unit files pass `systemd-analyze verify` (with /usr/bin/haldir pointed at
// the built CLI), and carry the settings the README promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist/src/cli/haldir.js');
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

function verify(dir: string, fileName: string, text: string, target = fileName): string[] {
  writeFileSync(join(dir, fileName), text.replaceAll('/usr/bin/haldir', cli));
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, target)], { encoding: 'utf8' });
  // other installed units (ldirectord.service...) may warn; keep only lines about ours
  const stem = fileName.replace(/@?\.service$/, '');
  return (r.stderr + r.stdout).split('\n').filter((l) => l.includes(stem));
}

test('haldir.service and haldir@.service pass systemd-analyze verify', { skip: hasAnalyze ? false : 'systemd-analyze not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-units-'));
  try {
    const plain = verify(dir, 'haldir.service', readFileSync(join(root, 'systemd/haldir.service'), 'utf8'));
    assert.deepEqual(plain, [], plain.join('\n'));
    // a template is verified through an instance of it
    const tmpl = verify(dir, 'haldir@.service', readFileSync(join(root, 'systemd/haldir@.service'), 'utf8'), 'haldir@web.cf.service');
    assert.deepEqual(tmpl, [], tmpl.join('\n'));
    // the verifier really checks: a unit whose command is missing is reported
    const bad = verify(dir, 'broken.service', '[Service]\nExecStart=/nonexistent/haldir-broken start\n');
    assert.ok(bad.length > 0, 'systemd-analyze reported nothing for a broken unit');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('units run in the foreground, configtest before reload, restart on failure, limited capabilities', () => {
  for (const name of ['haldir.service', 'haldir@.service']) {
    const text = readFileSync(join(root, 'systemd', name), 'utf8');
    assert.match(text, /^ExecStart=\/usr\/bin\/haldir -d /m, name);
    const reloads = text.split('\n').filter((l) => l.startsWith('ExecReload='));
    assert.ok(reloads[0]?.includes('configtest'), `${name}: first ExecReload must be configtest`);
    assert.ok(reloads[1]?.includes('-HUP'), `${name}: then HUP`);
    assert.match(text, /^Restart=on-failure$/m);
    assert.match(text, /^ProtectSystem=/m);
    assert.match(text, /^CapabilityBoundingSet=.*CAP_NET_ADMIN/m);
  }
  assert.ok(existsSync(join(root, 'systemd', 'haldir.service')));
});
