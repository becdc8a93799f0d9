import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runVrrpConfigtest } from '../../src/vrrp-config/configtest.js';
import { MINIMAL, memoryIo, repoFile } from './helpers.js';

test('configtest: a valid file exits 0 with a summary', async () => {
  const io = memoryIo({ '/etc/ha.d/vrrp.cf': repoFile('etc/vrrp.cf') });
  assert.equal(await runVrrpConfigtest([], io), 0);
  assert.match(io.out, /^\/etc\/ha\.d\/vrrp\.cf: OK: 1 instance\(s\) \(VI_1 MASTER vrid 50 prio 150\)/);
  assert.equal(io.err, '');
});

test('configtest: errors print compiler-style and exit 1', async () => {
  const io = memoryIo({ 'bad.cf': MINIMAL + 'priority = 300\nauth_type = PASS\nauth_pass = ab#cd\n' });
  assert.equal(await runVrrpConfigtest(['bad.cf'], io), 1);
  const lines = io.err.trim().split('\n');
  assert.deepEqual(lines.slice(0, 3), [
    'bad.cf:5:12: error[E-PRIORITY-RANGE]: priority 300 is outside 1..255',
    'bad.cf:7:15: warning[W-INLINE-COMMENT]: ini reads this value as "ab" and drops "#cd" as a comment; quote the whole value ("...") to keep ";" or "#"',
    'bad.cf: 1 error(s), 1 warning(s); haldir-vrrp would not start with this file',
  ]);
  assert.equal(io.out, '');
});

test('configtest: warnings alone exit 0 and are printed', async () => {
  const io = memoryIo({ 'w.cf': MINIMAL + 'priority = 1\npriority = 2\n' });
  assert.equal(await runVrrpConfigtest(['w.cf'], io), 0);
  assert.match(io.err, /^w\.cf:6:1: warning\[W-DUPLICATE-KEY\]/);
  assert.match(io.out, /1 warning\(s\)/);
});

test('configtest --json prints the effective model', async () => {
  const io = memoryIo({ 'a.cf': repoFile('etc/examples/vrrp-single-lb01.cf') });
  assert.equal(await runVrrpConfigtest(['--json', 'a.cf'], io), 0);
  const m = JSON.parse(io.out) as { global: { routerId: string; smtpuser: unknown }; instances: { vrid: number; garpMasterDelay: number }[] };
  assert.equal(m.global.routerId, 'lb01');
  assert.equal(m.global.smtpuser, null, 'unset values appear as null');
  assert.equal(m.instances[0]?.vrid, 50);
  assert.equal(m.instances[0]?.garpMasterDelay, 5);
});

test('configtest: unreadable file, bad usage, help', async () => {
  let io = memoryIo();
  assert.equal(await runVrrpConfigtest(['/nope.cf'], io), 1);
  assert.match(io.err, /^\/nope\.cf: error\[E-FILE\]: cannot read \(ENOENT\)/);
  io = memoryIo();
  assert.equal(await runVrrpConfigtest(['--frobnicate'], io), 2);
  assert.match(io.err, /unknown option --frobnicate/);
  io = memoryIo();
  assert.equal(await runVrrpConfigtest(['a', 'b'], io), 2);
  io = memoryIo();
  assert.equal(await runVrrpConfigtest(['--help'], io), 0);
  assert.match(io.out, /usage: haldir-vrrp configtest/);
});

test('configtest: status_secret in a world-readable file warns (real file modes); --json never prints the secret', async () => {
  const { chmodSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { processIo } = await import('../../src/vrrp-config/cli-io.js');
  const dir = mkdtempSync(join(tmpdir(), 'haldir-secret-'));
  try {
    const secret = 'a-status-secret-nobody-should-see';
    const file = join(dir, 'vrrp.cf');
    const text = `[global]\nstatus_secret = ${secret}\nsmtppasswd = smtp-secret-too\n` + MINIMAL;
    writeFileSync(file, text);
    const run = async (...args: string[]) => {
      const io = Object.assign(memoryIo({ [file]: text }), { fileMode: processIo.fileMode });
      const code = await runVrrpConfigtest([...args, file], io);
      return { code, io };
    };
    chmodSync(file, 0o644);
    let r = await run();
    assert.equal(r.code, 0);
    assert.equal(r.io.err, `${file}:2:1: warning[W-SECRET-READABLE]: ${file} holds secrets (status_secret at line 2, smtppasswd at line 3) but every local user can read it (mode 0644); run: chmod 600 ${file}\n`);
    chmodSync(file, 0o600);
    r = await run();
    assert.equal(r.io.err, '');
    r = await run('--json');
    assert.equal(r.io.out.includes(secret), false, 'the secret is not printed');
    assert.equal(r.io.out.includes('smtp-secret-too'), false);
    const m = JSON.parse(r.io.out) as { global: { statusSecret: string; smtppasswd: string } };
    assert.equal(m.global.statusSecret, '(set)');
    assert.equal(m.global.smtppasswd, '(set)');
    // A short secret is an error that does not echo the value either.
    const io = memoryIo({ 's.cf': '[global]\nstatus_secret = tooshort\n' + MINIMAL });
    assert.equal(await runVrrpConfigtest(['s.cf'], io), 1);
    assert.match(io.err, /s\.cf:2:\d+: error\[E-STATUS-SECRET\]: status_secret is 8 characters; use at least 16/);
    assert.equal(io.err.includes('tooshort'), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
