import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, writeFileSync, writeSync, renameSync, utimesSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigWatcher, contentHash, decideSettle } from '../../src/runtime/config-watcher.js';
import { systemClock } from '../../src/runtime/clock.js';
import { waitFor } from '../helpers/wait.js';

test('a rename-over save is read at once, however long the settle period; a touch is ignored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-watch-'));
  const f = join(dir, 'ldirectord.cf');
  writeFileSync(f, 'checkinterval=5\n');
  const seen: { text: string; at: number }[] = [];
  // poll disabled: only inotify can deliver these; a minute of settling would show
  const w = new ConfigWatcher(f, (text) => seen.push({ text, at: Date.now() }), {
    clock: systemClock(),
    initialHash: contentHash('checkinterval=5\n'),
    pollMs: 0,
    settleMs: 60_000,
  });
  w.start();
  try {
    // an editor's save: write a temp file, rename it over the original
    const t0 = Date.now();
    writeFileSync(join(dir, '.ldirectord.cf.swp'), 'checkinterval=7\n');
    renameSync(join(dir, '.ldirectord.cf.swp'), f);
    const ev = await waitFor('the change to be read', () => seen[0], { timeoutMs: 15_000 });
    assert.equal(ev.text, 'checkinterval=7\n');
    assert.ok(ev.at - t0 < 15_000, `rename-over seen after ${ev.at - t0} ms`);

    // touch: mtime changes, content does not -> no event (after the settle it would be read)
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    writeFileSync(join(dir, 'other-file'), 'x');
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(seen.length, 1);
  } finally {
    w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an in-place write is read once it has settled: truncate, then two write()s 400 ms apart, is one read of the whole file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-watch-'));
  const f = join(dir, 'ldirectord.cf');
  const full = 'checkinterval=5\nvirtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n';
  writeFileSync(f, 'checkinterval=4\n');
  const seen: { text: string; at: number }[] = [];
  const settleMs = 2000;
  const w = new ConfigWatcher(f, (text) => seen.push({ text, at: Date.now() }), {
    clock: systemClock(),
    initialHash: contentHash('checkinterval=4\n'),
    pollMs: 0,
    settleMs,
  });
  w.start();
  try {
    const fd = openSync(f, 'w'); // truncates, as `: > file` or a config-management tool does
    writeSync(fd, full.slice(0, 20));
    await new Promise((r) => setTimeout(r, 400));
    writeSync(fd, full.slice(20));
    const lastWrite = Date.now();
    closeSync(fd);
    const ev = await waitFor('the change to be read', () => seen[0], { timeoutMs: 15_000 });
    assert.equal(ev.text, full, 'never read half-written');
    assert.ok(ev.at - lastWrite >= settleMs - 100, `read ${ev.at - lastWrite} ms after the last write, before it settled`);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(seen.length, 1);
  } finally {
    w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('decideSettle: a rename is read at once; a write only when nothing changed since the last event', () => {
  assert.equal(decideSettle('rename', 'a', 'b'), 'read');
  assert.equal(decideSettle('change', 'a', 'a'), 'read');
  assert.equal(decideSettle('change', 'a', 'b'), 'wait');
  assert.equal(decideSettle('change', undefined, undefined), 'read');
});

test('the safety poll catches a change when no inotify event arrives', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-watch-'));
  const f = join(dir, 'a.cf');
  writeFileSync(f, 'a\n');
  const seen: string[] = [];
  const w = new ConfigWatcher(f, (t) => seen.push(t), { clock: systemClock(), initialHash: contentHash('b\n'), pollMs: 30, settleMs: 50 });
  // not started with a watcher: call start, then the poll must find the mismatch
  w.start();
  try {
    await waitFor('the change to be read', () => seen[0], { timeoutMs: 1000 });
    assert.deepEqual(seen, ['a\n']);
  } finally {
    w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
