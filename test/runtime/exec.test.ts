import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, splitCommandLine } from '../../src/runtime/exec.js';

test('splitCommandLine: whitespace, quotes, escapes', () => {
  assert.deepEqual(splitCommandLine('/bin/fb  start 10.0.0.1:80 tcp'), ['/bin/fb', 'start', '10.0.0.1:80', 'tcp']);
  assert.deepEqual(splitCommandLine(`/x "a b" 'c d' e\\ f`), ['/x', 'a b', 'c d', 'e f']);
  assert.deepEqual(splitCommandLine('  '), []);
  assert.deepEqual(splitCommandLine('a ""'), ['a', '']);
});

test('exit codes, no shell, output captured', async () => {
  const r = await execFile(['/bin/sh', '-c', 'echo hi; exit 3'], { timeoutMs: 5000 });
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'hi\n');
  assert.equal(r.timedOut, false);
  // metacharacters are passed literally: no shell
  const e = await execFile(['/bin/echo', '$HOME;', '|', 'x'], { timeoutMs: 5000 });
  assert.equal(e.stdout, '$HOME; | x\n');
  const missing = await execFile(['/nonexistent/prog'], { timeoutMs: 5000 });
  assert.ok(missing.error?.includes('ENOENT'));
});

test('a hung command and its children are killed at the timeout', async () => {
  const t0 = Date.now();
  const r = await execFile(['/bin/sh', '-c', 'sleep 30 & sleep 30'], { timeoutMs: 200 });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, 'SIGKILL');
  assert.ok(Date.now() - t0 < 3000);
});
