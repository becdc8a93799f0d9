import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideLifecycle, type LifecycleCommand } from '../../src/director/lifecycle.js';
import type { PidState } from '../../src/runtime/pidfile.js';

const names = { prog: 'haldir', config: '/etc/ha.d/ldirectord.cf', pidFile: '/run/haldir.ldirectord.cf.pid' };
const running: PidState = { kind: 'running', pid: 4242 };
const stale: PidState = { kind: 'stale', pid: 99999 };
const none: PidState = { kind: 'none' };

test('running daemon: ldirectord ld_init semantics per command', () => {
  assert.deepEqual(decideLifecycle('start', running, names), { kind: 'exit', code: 0, log: 'Exiting from haldir start' });
  assert.deepEqual(decideLifecycle('stop', running, names), { kind: 'signal', pid: 4242, signal: 'SIGTERM' });
  assert.deepEqual(decideLifecycle('reload', running, names), { kind: 'signal', pid: 4242, signal: 'SIGHUP' });
  assert.deepEqual(decideLifecycle('force-reload', running, names), { kind: 'signal', pid: 4242, signal: 'SIGHUP' });
  assert.deepEqual(decideLifecycle('restart', running, names), { kind: 'restart', pid: 4242 });
  assert.deepEqual(decideLifecycle('try-restart', running, names), { kind: 'restart', pid: 4242 });
  const st = decideLifecycle('status', running, names);
  assert.equal(st.kind, 'exit');
  if (st.kind === 'exit') {
    assert.equal(st.code, 0);
    assert.equal(st.stderr, 'haldir for /etc/ha.d/ldirectord.cf is running with pid: 4242\n');
  }
});

test('not running: LSB exit codes (status 3 stopped, 1 stale pid file; reload 1)', () => {
  const cases: [LifecycleCommand, PidState, string, number | undefined][] = [
    ['start', none, 'start', undefined],
    ['restart', stale, 'start', undefined],
    ['stop', none, 'exit', 0],
    ['try-restart', stale, 'exit', 0],
    ['status', none, 'exit', 3],
    ['status', stale, 'exit', 1],
    ['reload', none, 'exit', 1],
    ['force-reload', stale, 'exit', 1],
  ];
  for (const [cmd, pid, kind, code] of cases) {
    const a = decideLifecycle(cmd, pid, names);
    assert.equal(a.kind, kind, `${cmd} with ${pid.kind}`);
    if (a.kind === 'exit') assert.equal(a.code, code, `${cmd} with ${pid.kind}`);
  }
  const s = decideLifecycle('status', stale, names);
  assert.ok(s.kind === 'exit' && s.stdout === 'haldir is stopped for /etc/ha.d/ldirectord.cf\n');
  assert.ok(s.kind === 'exit' && s.stderr?.includes('stale pid file /run/haldir.ldirectord.cf.pid'));
});
