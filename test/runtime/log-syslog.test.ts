// The syslog sink against a real syslog daemon: rsyslogd, started by the test with its
// own unix datagram socket in a temp directory, writing what it receives to a file.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileLogSink, SyslogLogSink, syslogAndStderrWarning } from '../../src/runtime/log-sinks.js';
import { parseFacility, syslogLines, syslogPriority } from '../../src/runtime/syslog.js';

interface Rsyslog {
  readonly socket: string;
  readonly out: string;
  stop(): Promise<void>;
}

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startRsyslog(dir: string): Promise<Rsyslog> {
  const socket = join(dir, 'log');
  const out = join(dir, 'received');
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(
    conf,
    [
      `global(workDirectory="${dir}")`,
      'module(load="imuxsock" SysSock.Use="off")',
      `input(type="imuxsock" Socket="${socket}" CreatePath="on" RateLimit.Interval="0")`,
      'template(name="t" type="string" string="%syslogfacility-text%.%syslogseverity-text%|%programname%|%procid%|%msg%|%rawmsg%\\n")',
      `*.* action(type="omfile" file="${out}" template="t")`,
      '',
    ].join('\n'),
  );
  rmSync(socket, { force: true });
  const child: ChildProcess = spawn('rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntil(() => existsSync(socket), 'rsyslogd socket');
  return {
    socket,
    out,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const received = (r: Rsyslog): string[] => (existsSync(r.out) ? readFileSync(r.out, 'utf8').split('\n').filter(Boolean) : []);

describe('syslog priorities', () => {
  it('computes PRI = facility * 8 + severity and knows the facility names', () => {
    assert.equal(parseFacility('local0'), 16);
    assert.equal(parseFacility('LOG_DAEMON'), 3);
    assert.equal(parseFacility('/var/log/x'), undefined);
    assert.equal(syslogPriority(16, 'info'), 134);
    assert.equal(syslogPriority(3, 'error'), 27);
    assert.deepEqual(syslogLines(16, 'warn', 'two\nlines\n'), ['<132>two\n', '<132>lines\n']);
  });
});

describe('SyslogLogSink with rsyslogd', () => {
  let dir: string;
  let rs: Rsyslog;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'haldir-syslog-'));
    rs = await startRsyslog(dir);
  });
  after(async () => {
    await rs?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends RFC 3164 lines as ident[pid] with facility and severity', async () => {
    const fallback: string[] = [];
    const sink = new SyslogLogSink({ facility: 'local0', ident: 'haldir', pid: 4242, socketPath: rs.socket, fallback: (t) => fallback.push(t) });
    sink.info('Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)');
    sink.warn('emailalert: queue full');
    sink.error('failed to send SMTP email message');
    sink.debug('dropped without debug');
    sink.info('first line\nsecond line');
    await sink.flush();
    await waitUntil(() => received(rs).length >= 5, 'five syslog lines');
    const lines = received(rs);
    assert.deepEqual(
      lines.map((l) => l.split('|').slice(0, 4).join('|')),
      [
        'local0.info|haldir|4242| Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)',
        'local0.warning|haldir|4242| emailalert: queue full',
        'local0.err|haldir|4242| failed to send SMTP email message',
        'local0.info|haldir|4242| first line',
        'local0.info|haldir|4242| second line',
      ],
    );
    // The datagram itself: <PRI>Mmm dd hh:mm:ss ident[pid]: msg, as glibc's syslog() sends.
    assert.match(lines[0]!.split('|')[4]!, /^<134>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d haldir\[4242\]: Added real server/);
    assert.deepEqual(fallback, []);
  });

  it('keeps logging across a syslog daemon restart', async () => {
    const sink = new SyslogLogSink({ facility: 'daemon', ident: 'haldir-vrrp', pid: 7, socketPath: rs.socket, fallback: () => {} });
    sink.info('before restart');
    await sink.flush();
    await rs.stop();
    rs = await startRsyslog(dir);
    sink.info('after restart');
    await sink.flush();
    await waitUntil(() => received(rs).some((l) => l.includes('after restart')), 'line after restart');
    assert.ok(received(rs).some((l) => l.startsWith('daemon.info|haldir-vrrp|7| after restart|<30>')));
  });

  it("sends the same datagram as ldirectord's Sys::Syslog calls (openlog ident, pid, facility; syslog info)", async () => {
    const before = received(rs).length;
    const perl = spawn('perl', [
      '-e',
      'use Sys::Syslog qw(:DEFAULT setlogsock); setlogsock({type => "unix", path => $ARGV[0]}); ' +
        'openlog("ldirectord", "pid", "local3"); syslog("info", "Deleted real server: 10.0.0.2:80 (10.0.0.1:80)"); closelog();',
      rs.socket,
    ]);
    await new Promise((resolve) => perl.once('close', resolve));
    const sink = new SyslogLogSink({ facility: 'local3', ident: 'ldirectord', pid: 999, socketPath: rs.socket, fallback: () => {} });
    sink.info('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)');
    await sink.flush();
    await waitUntil(() => received(rs).length >= before + 2, 'both lines');
    const [theirs, ours] = received(rs)
      .slice(before)
      .map((l) => l.split('|').slice(4).join('|').replace(/^(<\d+>)[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d /, '$1TIME ').replace(/\[\d+\]: /, '[PID]: '));
    assert.equal(ours, theirs);
    assert.equal(ours, '<158>TIME ldirectord[PID]: Deleted real server: 10.0.0.2:80 (10.0.0.1:80)');
  });

  it('a log file that cannot take lines warns syslog (facility daemon, the daemon\'s ident)', async () => {
    const path = join(dir, 'no-such-dir', 'haldir.log');
    const sink = new FileLogSink({ path, cfgName: 'ldirectord.cf', pid: 5, fallback: () => {}, warn: syslogAndStderrWarning('haldir-vrrp', { socketPath: rs.socket }) });
    sink.info('lost 1');
    sink.info('lost 2');
    await waitUntil(() => received(rs).some((l) => l.includes('cannot write log file')), 'the warning in syslog', 15000);
    const w = received(rs).find((l) => l.includes('cannot write log file'))!;
    assert.match(w, new RegExp(`^daemon\\.warning\\|haldir-vrrp\\|\\d+\\| ?cannot write log file ${path} \\(ENOENT: no such file or directory\\); dropping log lines`));
    await sink.close();
  });

  it('falls back to stderr when there is no syslog socket', async () => {
    const fallback: string[] = [];
    const sink = new SyslogLogSink({ facility: 'local0', socketPath: join(dir, 'no-such-socket'), fallback: (t) => fallback.push(t) });
    sink.error('nobody listens');
    await sink.close();
    assert.match(fallback[0] ?? '', /^syslog via logger .*no-such-socket failed \(.*No such file or directory.*\); these lines went to stderr:\n$/);
    assert.equal(fallback[1], 'nobody listens\n');
  });
});
