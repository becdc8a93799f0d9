// ldirectord -d runs ./ipvsadm from the current directory when there is one (L913), which
// is how operators and test rigs put a stand-in in place; haldir -d does the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync, chmodSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { ipvsadmPath } from '../../src/director/daemon-main.js';
import { waitUntil } from '../helpers/http-reals.js';

const root = resolve(import.meta.dirname, '../../..');

test('ipvsadmPath: --ipvsadm, then ./ipvsadm with -d, then /sbin, then /usr/sbin', () => {
  const has = (...paths: string[]) => (p: string) => paths.includes(p);
  assert.equal(ipvsadmPath('/opt/ipvsadm', true, has('./ipvsadm')), '/opt/ipvsadm');
  assert.equal(ipvsadmPath(undefined, true, has('./ipvsadm')), resolve('./ipvsadm'));
  assert.equal(ipvsadmPath(undefined, false, has('./ipvsadm', '/sbin/ipvsadm')), '/sbin/ipvsadm');
  assert.equal(ipvsadmPath(undefined, false, has()), '/usr/sbin/ipvsadm');
});

test('haldir -d in a directory holding ./ipvsadm drives that ipvsadm', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-dot-ipvsadm-'));
  copyFileSync(join(root, 'test/fixtures/bin/ipvsadm'), join(dir, 'ipvsadm'));
  chmodSync(join(dir, 'ipvsadm'), 0o755);
  writeFileSync(join(dir, 'x.cf'), `checkinterval=1\nlogfile="${join(dir, 'log')}"\nvirtual=10.203.0.1:80\n\treal=127.0.39.1:80 masq 3\n\tchecktype=on\n`);
  const child = spawn(process.execPath, [join(root, 'dist/src/cli/haldir.js'), '-d', join(dir, 'x.cf'), 'start'], {
    cwd: dir,
    env: { ...process.env, IPVSADM_STATE: join(dir, 'state.json') },
    stdio: 'ignore',
  });
  try {
    await waitUntil(() => existsSync(join(dir, 'state.json')) && spawnSync(join(dir, 'ipvsadm'), ['-S', '-n'], { cwd: dir, env: { ...process.env, IPVSADM_STATE: join(dir, 'state.json') }, encoding: 'utf8' }).stdout.includes('-r 127.0.39.1:80 -m -w 3'), 15000, 'the real in ./ipvsadm\'s table');
    assert.match(readFileSync(join(dir, 'state.json'), 'utf8'), /10\.203\.0\.1/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
    rmSync(dir, { recursive: true, force: true });
  }
});
