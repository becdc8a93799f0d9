import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import {
  readPidState,
  writePidFile,
  removePidFile,
  defaultPidFile,
  controlSocketFor,
  processFacts,
  provesOwner,
  type ProcessFacts,
} from '../../src/runtime/pidfile.js';

test('default pid file and control socket names follow ldirectord', () => {
  assert.equal(defaultPidFile('/etc/ha.d/ldirectord.cf'), '/run/haldir.ldirectord.cf.pid');
  assert.equal(defaultPidFile('web.cf', '/var/run'), '/var/run/haldir.web.cf.pid');
  assert.equal(defaultPidFile('vrrp.cf', '/run', 'haldir-vrrp'), '/run/haldir-vrrp.vrrp.cf.pid');
  assert.equal(controlSocketFor('/run/haldir.web.cf.pid'), '/run/haldir.web.cf.sock');
});

test('provesOwner: the program\'s own script holding the pid file, nothing that merely mentions the name', () => {
  const f = (argv: string[] | undefined, holdsPidFile: boolean | undefined, scriptRealpath?: string): ProcessFacts => ({ argv, holdsPidFile, scriptRealpath });
  // the daemon as systemd starts it (through the /usr/bin/haldir symlink) and as spawned from dist/
  assert.equal(provesOwner(f(['node', '/usr/bin/haldir', '-d', '--pidfile', '/run/haldir.x.pid', 'x.cf', 'start'], true), 'haldir'), true);
  assert.equal(provesOwner(f(['/usr/bin/node', '--enable-source-maps', '/opt/h/dist/src/cli/haldir.js', 'start'], true), 'haldir'), true);
  assert.equal(provesOwner(f(['node', '/usr/local/bin/hd', 'start'], true, '/usr/lib/haldir/dist/src/cli/haldir.js'), 'haldir'), true);
  // haldir and haldir-vrrp never take each other's daemon
  assert.equal(provesOwner(f(['node', '/opt/h/dist/src/cli/haldir-vrrp.js', 'start'], true), 'haldir'), false);
  assert.equal(provesOwner(f(['node', '/opt/h/dist/src/cli/haldir.js', 'start'], true), 'haldir-vrrp'), false);
  // a command line that mentions haldir, even one that holds the file open
  assert.equal(provesOwner(f(['tail', '-f', '/var/log/haldir.log'], false), 'haldir'), false);
  assert.equal(provesOwner(f(['tail', '-f', '/run/haldir.x.pid'], true), 'haldir'), false);
  assert.equal(provesOwner(f(['less', '/opt/h/dist/src/cli/haldir.js'], false, '/opt/h/dist/src/cli/haldir.js'), 'haldir'), false);
  // our program, but not the one holding this pid file (a reused pid: another config's daemon)
  assert.equal(provesOwner(f(['node', '/usr/bin/haldir', 'other.cf', 'start'], false), 'haldir'), false);
  // no such process
  assert.equal(provesOwner(f(undefined, undefined), 'haldir'), false);
  // fds unreadable (an unprivileged status of root's daemon): the script name decides
  assert.equal(provesOwner(f(['node', '/usr/bin/haldir', 'start'], undefined), 'haldir'), true);
  assert.equal(provesOwner(f(['tail', '-f', '/var/log/haldir.log'], undefined), 'haldir'), false);
});

test('processFacts sees the pid file held open by the process that wrote it, and not after removal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-pid-'));
  try {
    const f = join(dir, 'x.pid');
    const g = join(dir, 'y.pid');
    writePidFile(f, process.pid);
    writeFileSync(g, `${process.pid}\n`);
    assert.equal(processFacts(process.pid, f).holdsPidFile, true, 'writePidFile keeps the file open');
    assert.equal(processFacts(process.pid, g).holdsPidFile, false, 'a pid file we did not write is not ours');
    assert.ok(processFacts(process.pid, f).argv?.includes(process.argv[1]!));
    // rewritten (a restart in the same process): the new inode is held, the old fd released
    writePidFile(f, process.pid);
    assert.equal(processFacts(process.pid, f).holdsPidFile, true);
    removePidFile(f, process.pid);
    assert.ok(!existsSync(f));
    writeFileSync(f, `${process.pid}\n`);
    assert.equal(processFacts(process.pid, f).holdsPidFile, false, 'removePidFile closed the fd');
    // writing a pid file for another pid holds nothing
    writePidFile(g, 1);
    assert.equal(processFacts(process.pid, g).holdsPidFile, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pid states: none, running (proved), stale (dead, foreign or unproved pid), garbage', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-pid-'));
  try {
    const f = join(dir, 'x.pid');
    const daemon = (argv: string[], holds: boolean) => (): ProcessFacts => ({ argv, holdsPidFile: holds, scriptRealpath: undefined });
    assert.deepEqual(readPidState(f, 'haldir'), { kind: 'none' });
    writePidFile(f, process.pid);
    assert.deepEqual(readPidState(f, 'haldir', daemon(['node', '/usr/bin/haldir', 'start'], true)), { kind: 'running', pid: process.pid });
    assert.deepEqual(readPidState(f, 'haldir', daemon(['node', '/usr/bin/haldir', 'start'], false)), { kind: 'stale', pid: process.pid });
    // the test process holds the file but is not haldir
    assert.deepEqual(readPidState(f, 'haldir'), { kind: 'stale', pid: process.pid });
    // a pid that has exited
    const child = spawn('true');
    const pid = child.pid!;
    await new Promise((r) => child.on('close', r));
    writeFileSync(f, `${pid}\n`);
    assert.deepEqual(readPidState(f, 'haldir'), { kind: 'stale', pid });
    writeFileSync(f, 'garbage\n');
    assert.deepEqual(readPidState(f, 'haldir'), { kind: 'stale', pid: undefined });
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
