// Daemon features around the core loop, on the built binary: `execute = other.cf` starts
// and stops a companion instance (ld_cmd_children), `callback` runs with the config path
// after a change on disk, and SIGUSR1 writes the full state to the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseList } from '../../src/ipvs/ipvsadm-text.js';
import { waitUntil } from '../helpers/http-reals.js';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist/src/cli/haldir.js');
const standin = join(root, 'test/fixtures/bin/ipvsadm');

test('execute companions, callback after an edit, USR1 state dump', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-comp-'));
  const env = { ...process.env, IPVSADM_STATE: join(dir, 'state.json'), HALDIR_RUNDIR: dir, HALDIR_CONFDIR: join(dir, 'none') };
  const main = join(dir, 'main.cf');
  const other = join(dir, 'other.cf');
  const log = join(dir, 'main.log');
  const cb = join(dir, 'cb.sh');
  const cbOut = join(dir, 'cb.out');
  writeFileSync(cb, `#!/bin/sh\necho "$@" >> ${cbOut}\n`);
  chmodSync(cb, 0o755);
  const mainText = (w: number) =>
    `checkinterval=1\nlogfile="${log}"\ncallback="${cb}"\nexecute=${other}\nvirtual=10.202.0.1:80\n\treal=127.0.38.1:80 masq ${w}\n\tchecktype=on\n`;
  writeFileSync(main, mainText(1));
  writeFileSync(other, `checkinterval=1\nlogfile="${join(dir, 'other.log')}"\nvirtual=10.202.0.2:80\n\treal=127.0.38.2:80 masq\n\tchecktype=on\n`);
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, '--ipvsadm', standin, ...args], { env, encoding: 'utf8', timeout: 30000 });
  const vips = () => {
    const r = spawnSync(standin, ['-L', '-n'], { env, encoding: 'utf8' });
    return parseList(r.stdout).services.map((s) => `${s.key.address}:${s.key.port}/${s.destinations.length}`).sort();
  };
  const mainPid = join(dir, 'haldir.main.cf.pid');
  const otherPid = join(dir, `haldir.${other.split('/').pop()}.pid`);
  try {
    const st = run(main, 'start');
    assert.equal(st.status, 0, st.stderr);
    // both the instance and its companion program the table
    await waitUntil(() => vips().join(' ') === '10.202.0.1:80/1 10.202.0.2:80/1', 15000, `both virtuals (have ${vips().join(' ')})`);
    assert.ok(existsSync(otherPid), 'companion pid file');

    // USR1: the state dump lands in the log
    const pid = Number(readFileSync(mainPid, 'utf8').trim());
    process.kill(pid, 'SIGUSR1');
    // the dump is written line by line: wait for its last line (the real), not its first
    await waitUntil(() => /State dump[^]*-> 127\.0\.38\.1:80 /.test(readFileSync(log, 'utf8')), 15000, 'state dump');
    const dump = readFileSync(log, 'utf8');
    assert.match(dump, /TCP {2}10\.202\.0\.1:80 wrr/);
    assert.match(dump, /-> 127\.0\.38\.1:80\s+Masq\s+1\s+up\s/);

    // an edit on disk runs the callback with the config path (autoreload is off)
    writeFileSync(main, mainText(2));
    // the shell creates the file before echo writes to it: wait for the whole line
    await waitUntil(() => existsSync(cbOut) && readFileSync(cbOut, 'utf8').endsWith('\n'), 15000, 'callback ran');
    assert.equal(readFileSync(cbOut, 'utf8').trim(), main);
    assert.match(readFileSync(log, 'utf8'), / - ignore new configuration/);

    // stopping the instance stops its companion (and cleanstop empties the table)
    assert.equal(run(main, 'stop').status, 0);
    await waitUntil(() => !existsSync(mainPid) && !existsSync(otherPid), 15000, 'both stopped');
    assert.deepEqual(vips(), []);
  } finally {
    for (const p of [mainPid, otherPid]) {
      if (existsSync(p)) {
        try {
          process.kill(Number(readFileSync(p, 'utf8').trim()), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
