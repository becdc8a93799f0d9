// Log file in ldirectord's format (checked against Perl's own localtime), rotation by
// rename, reopen, the stderr fallback, stdout/journal lines and the sink choice.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/runtime/clock.js';
import {
  FileLogSink,
  LogSinkError,
  StreamLogSink,
  SyslogLogSink,
  createLogSink,
  formatFileLine,
  isJournalStream,
  perlLocaltime,
} from '../../src/runtime/log-sinks.js';

describe('perlLocaltime', () => {
  it("matches Perl's scalar localtime in several time zones", () => {
    const saved = process.env.TZ;
    try {
      // A single-digit day (space-padded), a summer date, a leap day, New Year's Eve.
      const stamps = [Date.UTC(2026, 10, 1, 3, 4, 5), Date.UTC(2026, 6, 15, 23, 59, 59), Date.UTC(2028, 1, 29, 12, 0, 0), Date.UTC(2026, 11, 31, 23, 30, 0)];
      for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata']) {
        process.env.TZ = tz;
        for (const ms of stamps) {
          const perl = execFileSync('perl', ['-e', `print scalar localtime(${ms / 1000})`], { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
          assert.equal(perlLocaltime(ms), perl, `${tz} ${ms}`);
        }
      }
      process.env.TZ = 'UTC';
      assert.equal(perlLocaltime(Date.UTC(2026, 10, 21, 5, 5, 9)), 'Sat Nov 21 05:05:09 2026');
      assert.equal(perlLocaltime(Date.UTC(2026, 10, 1, 5, 5, 9)), 'Sun Nov  1 05:05:09 2026');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('FileLogSink', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'haldir-log-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const clock = new ManualClock(0, Date.UTC(2026, 10, 21, 5, 5, 9));

  it('writes [localtime|CFGNAME|PID] lines, chomping one newline', async () => {
    const path = join(dir, 'format.log');
    const sink = new FileLogSink({ path, cfgName: '/etc/ha.d/ldirectord.cf', pid: 1234, clock });
    sink.info('Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)');
    sink.error('failed to send SMTP email message\n');
    sink.debug('not without debug');
    await sink.close();
    const stamp = perlLocaltime(clock.wallNow());
    assert.equal(
      readFileSync(path, 'utf8'),
      `[${stamp}|ldirectord.cf|1234] Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)\n` +
        `[${stamp}|ldirectord.cf|1234] failed to send SMTP email message\n`,
    );
    assert.equal(formatFileLine(clock.wallNow(), 'x.cf', 7, 'a\n'), `[${stamp}|x.cf|7] a\n`);
  });

  it('follows a rename (logrotate) and a deletion onto a new file, and reopens on demand', async () => {
    const path = join(dir, 'rotate.log');
    const sink = new FileLogSink({ path, cfgName: 'ldirectord.cf', pid: 1, clock });
    sink.info('before rotation');
    renameSync(path, `${path}.1`);
    sink.info('after rotation');
    assert.ok(existsSync(path), 'a new file was created');
    assert.match(readFileSync(`${path}.1`, 'utf8'), /\] before rotation\n$/);
    assert.match(readFileSync(path, 'utf8'), /^\[[^\]]+\] after rotation\n$/);
    unlinkSync(path);
    sink.info('after deletion');
    assert.match(readFileSync(path, 'utf8'), /\] after deletion\n$/);
    // reopen() (SIGUSR1/logrotate postrotate) moves on even before the next line.
    renameSync(path, `${path}.2`);
    sink.reopen();
    assert.ok(existsSync(path));
    sink.info('after reopen');
    assert.equal(readFileSync(`${path}.2`, 'utf8').split('\n').length, 2);
    assert.match(readFileSync(path, 'utf8'), /\] after reopen\n$/);
    await sink.close();
  });

  it('falls back to stderr (as ld_log) when the file cannot be written, and recovers', async () => {
    const parent = join(dir, 'missing-dir');
    const path = join(parent, 'x.log');
    const fallback: string[] = [];
    const sink = new FileLogSink({ path, cfgName: 'ldirectord.cf', pid: 1, clock, fallback: (l) => fallback.push(l) });
    sink.warn('cannot be written');
    // one warning for the episode (no warn given: it goes the fallback's way), then the line
    assert.equal(fallback.length, 2);
    assert.match(fallback[0]!, new RegExp(`^cannot write log file ${path} \\(ENOENT: no such file or directory\\); dropping log lines`));
    assert.equal(fallback[1], 'cannot be written\n');
    mkdirSync(parent);
    sink.info('now it can');
    assert.match(readFileSync(path, 'utf8'), /^\[[^\]]+\] 1 log line dropped since .*: could not write .* \(ENOENT: no such file or directory\)\n\[[^\]]+\] now it can\n$/);
    await sink.close();
  });
});

describe('etc/logrotate.d/haldir with the real logrotate', () => {
  it('rotates by rename and the sink carries on in the new file', { skip: process.getuid?.() !== 0 ? 'logrotate\'s create needs root (chown root:adm)' : false }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haldir-logrotate-'));
    try {
      const repo = new URL('../../../', import.meta.url).pathname;
      const shipped = readFileSync(join(repo, 'etc/logrotate.d/haldir'), 'utf8');
      const log = join(dir, 'haldir.log');
      // The shipped stanza, pointed at this test's file.
      const conf = join(dir, 'logrotate.conf');
      writeFileSync(conf, shipped.replace('/var/log/haldir.log /var/log/haldir/*.log', log));
      const sink = new FileLogSink({ path: log, cfgName: 'ldirectord.cf', pid: 1 });
      sink.info('line before rotation');
      execFileSync('logrotate', ['-f', '-s', join(dir, 'state'), conf], { stdio: 'pipe' });
      assert.ok(existsSync(`${log}.1`), 'renamed to haldir.log.1 (delaycompress: not yet compressed)');
      assert.match(readFileSync(`${log}.1`, 'utf8'), /\] line before rotation\n$/);
      assert.equal(readFileSync(log, 'utf8'), '', 'logrotate created an empty file');
      sink.info('line after rotation');
      assert.match(readFileSync(log, 'utf8'), /^\[[^\]]+\|ldirectord\.cf\|1\] line after rotation\n$/);
      assert.equal(readFileSync(`${log}.1`, 'utf8').split('\n').length, 2, 'nothing more went to the rotated file');
      await sink.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('StreamLogSink', () => {
  const clock = new ManualClock(0, Date.UTC(2026, 10, 21, 5, 5, 9));
  const capture = () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    return { stream, text: () => chunks.join('') };
  };

  it('prints "[localtime] msg" as ldirectord supervised', () => {
    const out = capture();
    const sink = new StreamLogSink({ stream: out.stream, clock });
    sink.info('Starting Linux Director');
    assert.equal(out.text(), `[${perlLocaltime(clock.wallNow())}] Starting Linux Director\n`);
  });

  it('prints bare messages with sd-daemon level prefixes for the journal', () => {
    const out = capture();
    const sink = new StreamLogSink({ stream: out.stream, clock, style: 'journal', debug: true });
    sink.info('i');
    sink.warn('w');
    sink.error('e');
    sink.debug('d');
    assert.equal(out.text(), '<6>i\n<4>w\n<3>e\n<7>d\n');
  });

  it('prints the bare message in the foreground (ld_log under -d)', () => {
    const out = capture();
    const sink = new StreamLogSink({ stream: out.stream, clock, style: 'bare' });
    sink.info('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\n');
    assert.equal(out.text(), 'Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\n');
  });

  it('recognises the journal stream only when stdout is still it', () => {
    assert.ok(isJournalStream('64769:1234', { dev: 64769, ino: 1234 }));
    assert.ok(!isJournalStream('64769:1234', { dev: 64769, ino: 999 }), 'stdout redirected elsewhere');
    assert.ok(!isJournalStream(undefined, { dev: 1, ino: 2 }));
  });
});

/** Runs createLogSink(choice) in a child node and logs one line per level; its stdout and stderr. */
function sinkInChild(choice: object, env: NodeJS.ProcessEnv = {}): { stdout: string; stderr: string } {
  const mod = new URL('../../src/runtime/log-sinks.js', import.meta.url).href;
  const script = `const { createLogSink } = await import(${JSON.stringify(mod)});
    const s = createLogSink(${JSON.stringify(choice)});
    s.debug('a debug line'); s.info('an info line'); s.warn('a warn line'); s.error('an error line');
    await s.close();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH, TZ: 'UTC', ...env }, timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  return { stdout: r.stdout, stderr: r.stderr };
}

describe('createLogSink: where each mode writes, on the real process streams', () => {
  it('foreground (-d): every line, debug included, bare, on stderr; nothing on stdout (ld_log under -d)', () => {
    const r = sinkInChild({ logfile: 'local0', supervised: false, configFile: 'x.cf', foreground: true });
    assert.equal(r.stderr, 'a debug line\nan info line\na warn line\nan error line\n');
    assert.equal(r.stdout, '');
  });

  it('foreground wins over supervised and a log file', () => {
    const r = sinkInChild({ logfile: '/nonexistent/dir/x.log', supervised: true, configFile: 'x.cf', foreground: true });
    assert.equal(r.stderr, 'a debug line\nan info line\na warn line\nan error line\n');
    assert.equal(r.stdout, '');
  });

  it('supervised: "[localtime] msg" on stdout without debug lines; nothing on stderr', () => {
    const r = sinkInChild({ logfile: 'local0', supervised: true, configFile: 'x.cf' });
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.deepEqual(lines.map((l) => l.replace(/^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] /, '')), ['an info line', 'a warn line', 'an error line']);
    assert.equal(r.stderr, '');
  });
});

describe('createLogSink', () => {
  it('chooses stdout when supervised, a file for a path, syslog for a facility', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haldir-choice-'));
    try {
      const base = { configFile: '/etc/ha.d/ldirectord.cf', env: {} };
      assert.ok(createLogSink({ ...base, logfile: '/var/log/x.log', supervised: true }) instanceof StreamLogSink);
      assert.ok(createLogSink({ ...base, logfile: 'local0', supervised: false, foreground: true }) instanceof StreamLogSink);
      const file = createLogSink({ ...base, logfile: join(dir, 'a.log'), supervised: false });
      assert.ok(file instanceof FileLogSink);
      await file.close();
      const sys = createLogSink({ ...base, logfile: 'local0', supervised: false });
      assert.ok(sys instanceof SyslogLogSink);
      assert.throws(
        () => createLogSink({ ...base, logfile: 'var/log/x.log', supervised: false }),
        (e: unknown) => e instanceof LogSinkError && e.code === 'E-LOGFILE-FACILITY' && /absolute path/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
