import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, renameSync, utimesSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigWatcher, contentHash } from '../../src/runtime/config-watcher.js';
import { systemClock } from '../../src/runtime/clock.js';
import { waitFor } from '../helpers/wait.js';

// With the poll off, only inotify can deliver a change at all, so seeing each one proves
// the inotify path; how fast is bench/'s business (autoreload: median 31 ms), not a
// wall-clock bound a loaded machine could miss.
test('sees in-place writes and rename-over saves through inotify alone (poll off); ignores touches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-watch-'));
  const f = join(dir, 'ldirectord.cf');
  writeFileSync(f, 'checkinterval=5\n');
  const seen: { text: string; at: number }[] = [];
  const w = new ConfigWatcher(f, (text) => seen.push({ text, at: Date.now() }), {
    clock: systemClock(),
    initialHash: contentHash('checkinterval=5\n'),
    pollMs: 0,
  });
  w.start();
  try {
    writeFileSync(f, 'checkinterval=6\n');
    let ev = await waitFor('the in-place write', () => seen[0]);
    assert.equal(ev.text, 'checkinterval=6\n');

    // an editor's save: write a temp file, rename it over the original
    writeFileSync(join(dir, '.ldirectord.cf.swp'), 'checkinterval=7\n');
    renameSync(join(dir, '.ldirectord.cf.swp'), f);
    ev = await waitFor('the rename-over save', () => seen[1]);
    assert.equal(ev.text, 'checkinterval=7\n');

    // touch: mtime changes, content does not -> no event. A real change made after the
    // touch is the barrier: once it is seen, an event for the touch would have come first.
    // The pause only keeps the two apart (the watcher debounces 15 ms); nothing is
    // asserted after it, so a slow machine can make this weaker but never fail it.
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    writeFileSync(join(dir, 'other-file'), 'x');
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(f, 'checkinterval=8\n');
    await waitFor('the change after the touch', () => seen[2]);
    assert.deepEqual(seen.map((e) => e.text), ['checkinterval=6\n', 'checkinterval=7\n', 'checkinterval=8\n']);
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
    await waitFor('the safety poll to report the change', () => seen[0]);
    assert.deepEqual(seen, ['a\n']);
  } finally {
    w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
