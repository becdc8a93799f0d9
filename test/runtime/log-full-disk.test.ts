// The log file on a real full file system (a small tmpfs this test mounts, fills and
// frees): lines reach the file whole or not at all, the first line written after the
// disk has room again says how many were dropped, and the operator gets one warning
// however many lines are lost.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/runtime/clock.js';
import { FileLogSink, perlLocaltime } from '../../src/runtime/log-sinks.js';

const root = process.getuid?.() === 0;

/** Fills the file system holding `file` until it refuses another byte. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (;;) writeSync(fd, Buffer.alloc(4096, 1));
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
}

describe('FileLogSink on a full file system', () => {
  it('writes whole lines or none, then says how many were dropped; one warning', { skip: root ? false : 'mounting a tmpfs needs root' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haldir-fulldisk-'));
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tmpfs', mnt]);
    try {
      const log = join(mnt, 'haldir.log');
      const clock = new ManualClock(0, Date.UTC(2026, 10, 21, 5, 5, 9));
      const warnings: string[] = [];
      const stderr: string[] = [];
      const sink = new FileLogSink({ path: log, cfgName: 'ldirectord.cf', pid: 77, clock, warn: (m) => warnings.push(m), fallback: (l) => stderr.push(l) });
      sink.info('line 0');
      fill(join(mnt, 'filler'));
      const firstDropAt = clock.wallNow();
      // ~115 bytes a line: the log file's last 4 KiB page takes a few dozen, the rest cannot go anywhere
      const total = 120;
      for (let n = 1; n <= total; n++) {
        sink.info(`line ${n} ${'x'.repeat(80)}`);
        clock.advance(100);
      }
      rmSync(join(mnt, 'filler'));
      sink.info('after the disk was freed');
      sink.info('and one more');
      await sink.close();

      const lines = readFileSync(log, 'utf8').split('\n');
      assert.equal(lines.pop(), '', 'the file ends with a newline');
      const shape = /^\[[^\]|]+\|ldirectord\.cf\|77\] (line (\d+)(?: x{80})?|(\d+) log lines dropped since (.+): could not write .* \(ENOSPC: no space left on device\)|after the disk was freed|and one more)$/;
      const kept: number[] = [];
      let notice: RegExpExecArray | undefined;
      for (const l of lines) {
        const m = shape.exec(l);
        assert.ok(m, `a whole line of ldirectord's format, not a fragment or two glued lines: ${JSON.stringify(l)}`);
        if (m[2] !== undefined) kept.push(Number(m[2]));
        if (m[3] !== undefined) notice = m;
      }
      assert.deepEqual(kept, [...kept.keys()], 'the lines that fit are there in order, none missing in between');
      const droppedCount = total + 1 - kept.length;
      assert.ok(kept.length > 1 && droppedCount > 10, `the page filled part way (kept ${kept.length})`);
      assert.ok(notice, 'a line says how many were dropped');
      assert.equal(Number(notice[3]), droppedCount);
      assert.equal(notice[4], perlLocaltime(firstDropAt + (kept.length - 1) * 100), 'since the first dropped line');
      assert.deepEqual(lines.slice(-3).map((l) => l.replace(/^\[[^\]]+\] /, '').replace(/^\d+ log lines dropped.*/, 'NOTICE')), ['NOTICE', 'after the disk was freed', 'and one more']);
      assert.equal(warnings.length, 1, `one warning for the whole episode: ${warnings.join(' | ')}`);
      assert.match(warnings[0]!, new RegExp(`cannot write log file ${log} \\(ENOSPC: no space left on device\\)`));
      assert.equal(stderr.length, droppedCount, 'each dropped line still went to stderr, as ld_log does');
    } finally {
      execFileSync('umount', [mnt]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
