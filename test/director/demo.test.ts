// The README's quick start (`npm start` = `haldir demo` on etc/demo.cf): the memory
// backend reacts to a real server going down and coming back, then the fallback takes
// over when all are down and steps aside when one returns. No root needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';

const root = resolve(import.meta.dirname, '../../..');

test('haldir demo shows a real going down and up, and the fallback taking over', async () => {
  const child = spawn(process.execPath, [join(root, 'dist/src/cli/haldir.js'), 'demo'], {
    cwd: root,
    env: { ...process.env, HALDIR_DEMO_PAUSE_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 0, out);
  const order = [
    'ipvsadm -A -t 127.0.0.10:80 -s wrr',
    'Added real server: 127.0.1.1:8081 (127.0.0.10:80) (Weight set to 1)',
    '== all real servers up ==',
    '>> stopping the real server 127.0.1.1:8081',
    'Deleted real server: 127.0.1.1:8081 (127.0.0.10:80)',
    '>> starting 127.0.1.1:8081 again',
    'Added real server: 127.0.1.1:8081 (127.0.0.10:80) (Weight set to 1)',
    '>> stopping every real server',
    'Added fallback server: 127.0.0.1:8080 (127.0.0.10:80)',
    '== every real server down: the fallback takes over ==',
    'Deleted fallback server: 127.0.0.1:8080 (127.0.0.10:80)',
    '== one real server back: the fallback steps aside ==',
  ];
  let at = 0;
  for (const needle of order) {
    const i = out.indexOf(needle, at);
    assert.ok(i >= 0, `missing (in order): ${needle}\n--- output ---\n${out}`);
    at = i + needle.length;
  }
  // the table printed while the real was down does not list it
  const downTable = out.slice(out.indexOf('== 127.0.1.1:8081 is down =='), out.indexOf('>> starting 127.0.1.1:8081 again'));
  assert.ok(!downTable.includes('-> 127.0.1.1:8081'), downTable);
  assert.ok(downTable.includes('-> 127.0.1.2:8082'), downTable);
});
