import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { readPidState, writePidFile, removePidFile, defaultPidFile, controlSocketFor } from '../../src/runtime/pidfile.js';

test('default pid file and control socket names follow ldirectord', () => {
  assert.equal(defaultPidFile('/etc/ha.d/ldirectord.cf'), '/run/haldir.ldirectord.cf.pid');
  assert.equal(defaultPidFile('web.cf', '/var/run'), '/var/run/haldir.web.cf.pid');
  assert.equal(controlSocketFor('/run/haldir.web.cf.pid'), '/run/haldir.web.cf.sock');
});

test('pid states: none, running (cmdline matches), stale (dead or foreign pid), garbage', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-pid-'));
  try {
    const f = join(dir, 'x.pid');
    assert.deepEqual(readPidState(f), { kind: 'none' });
    // our own test process runs node ... so its cmdline contains "node"
    writePidFile(f, process.pid);
    assert.deepEqual(readPidState(f, 'node'), { kind: 'running', pid: process.pid });
    assert.equal(readPidState(f, 'definitely-not-this-program').kind, 'stale');
    // a pid that has exited
    const child = spawn('true');
    const pid = child.pid!;
    await new Promise((r) => child.on('close', r));
    writeFileSync(f, `${pid}\n`);
    assert.deepEqual(readPidState(f, 'true'), { kind: 'stale', pid });
    writeFileSync(f, 'garbage\n');
    assert.deepEqual(readPidState(f), { kind: 'stale', pid: undefined });
    // removePidFile only removes a file naming us
    writeFileSync(f, '1\n');
    removePidFile(f, process.pid);
    assert.ok(existsSync(f));
    writePidFile(f, process.pid);
    removePidFile(f, process.pid);
    assert.ok(!existsSync(f));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
