import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, renameSync, utimesSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigWatcher, contentHash } from '../../src/runtime/config-watcher.js';
import { systemClock } from '../../src/runtime/clock.js';

function waitFor<T>(get: () => T | undefined, ms: number): Promise<T> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = get();
      if (v !== undefined) return resolve(v);
      if (Date.now() - start > ms) return reject(new Error(`timed out after ${ms} ms`));
      setTimeout(tick, 2);
    };
    tick();
  });
}

test('sees in-place writes and rename-over saves through inotify alone; ignores touches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-watch-'));
  const f = join(dir, 'ldirectord.cf');
  writeFileSync(f, 'checkinterval=5\n');
  const seen: { text: string; at: number }[] = [];
  // poll disabled: only inotify can deliver these at all (how fast is bench/autoreload's
  // business; a latency bound here fails whenever the machine is loaded)
  const w = new ConfigWatcher(f, (text) => seen.push({ text, at: Date.now() }), {
    clock: systemClock(),
    initialHash: contentHash('checkinterval=5\n'),
    pollMs: 0,
  });
  w.start();
  try {
    writeFileSync(f, 'checkinterval=6\n');
    let ev = await waitFor(() => seen[0], 10000);
    assert.equal(ev.text, 'checkinterval=6\n');

    // an editor's save: write a temp file, rename it over the original
    writeFileSync(join(dir, '.ldirectord.cf.swp'), 'checkinterval=7\n');
    renameSync(join(dir, '.ldirectord.cf.swp'), f);
    ev = await waitFor(() => seen[1], 10000);
    assert.equal(ev.text, 'checkinterval=7\n');

    // touch: mtime changes, content does not -> no event
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    writeFileSync(join(dir, 'other-file'), 'x');
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(seen.length, 2);
  } finally {
    w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the safety poll catches a change when no inotify event arrives', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-watch-'));
  const f = join(dir, 'a.cf');
  writeFileSync(f, 'a\n');
  const seen: string[] = [];
  const w = new ConfigWatcher(f, (t) => seen.push(t), { clock: systemClock(), initialHash: contentHash('b\n'), pollMs: 30 });
  // not started with a watcher: call start, then the poll must find the mismatch
  w.start();
  try {
    await waitFor(() => seen[0], 1000);
    assert.deepEqual(seen, ['a\n']);
  } finally {
    w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
