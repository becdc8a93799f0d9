// Side by side with ldirectord itself: the alert subs of the installed /usr/sbin/ldirectord
// (ld_emailalert_send, _ld_virtual_server_details, ld_emailalert_net_smtp,
// ld_emailalert_resend, ld_log) run under Perl against the same real SMTP server as
// haldir's AlertPolicy + Mailer, on the same scenario; mails and log lines must match.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { Mailer } from '../../src/alerts/mailer.js';
import { AlertPolicy } from '../../src/alerts/policy.js';
import type { DaemonStatus, VirtualService } from '../../src/config/model.js';
import { ManualClock, systemClock } from '../../src/runtime/clock.js';
import { FileLogSink } from '../../src/runtime/log-sinks.js';
import { globalConfig, virtual } from './helpers/config.js';
import { startSmtp, type ReceivedMail } from './helpers/smtp.js';
import { ldirectordSubs } from '../helpers/servers/ldirectord-subs.js';

const LDIRECTORD = '/usr/sbin/ldirectord';
const SUBS = [
  'ld_log',
  'ld_debug',
  'daemon_status_str',
  'ld_emailalert_send',
  '_ld_virtual_server_details',
  'ld_emailalert_net_smtp',
  'ld_emailalert_resend',
  'get_virtual',
];
const STATUS_BIT: Record<DaemonStatus, number> = { starting: 1, running: 2, stopping: 4, reloading: 8 };

type Step =
  | { op: 'send'; subject: string; v: string; rservice: string; down: boolean }
  | { op: 'status'; value: DaemonStatus }
  | { op: 'age'; seconds: number };

interface PerlVirtual {
  server: string;
  port: number;
  protocol: string;
  emailalert?: string;
  emailalertfreq?: number;
  emailalertstatus?: number;
  servicename?: string;
  comment?: string;
}

/** ldirectord's own subs, lifted out of the installed script, driven by a JSON scenario. */
function perlHarness(): string {
  const subs = ldirectordSubs(SUBS);
  return `
no strict; no warnings;
our $now;
BEGIN { $now = 1_000_000; *CORE::GLOBAL::time = sub { $now }; }
use Sys::Hostname; use JSON::PP;
$DAEMON_STATUS_STARTING = 1; $DAEMON_STATUS_RUNNING = 2; $DAEMON_STATUS_STOPPING = 4; $DAEMON_STATUS_RELOADING = 8;
$DAEMON_STATUS_ALL = 15;
my $in = decode_json(do { local $/; <STDIN> });
$SMTP = $in->{smtp}; $EMAILALERT = $in->{emailalert}; $EMAILALERTFROM = $in->{emailalertfrom};
$EMAILALERTFREQ = 0; $EMAILALERTSTATUS = $DAEMON_STATUS_ALL; $DAEMON_STATUS = $DAEMON_STATUS_STARTING;
$LDIRLOG = $in->{logfile}; $CFGNAME = 'ldirectord.cf'; $SUPERVISED = 'no'; $DEBUG = 0; $opt_d = 0;
%EMAILSTATUS = ();
${subs.join('\n')}
for my $s (@{$in->{steps}}) {
  if ($s->{op} eq 'status') { $DAEMON_STATUS = $s->{bit}; }
  elsif ($s->{op} eq 'send') {
    ld_log($s->{subject});
    ld_emailalert_send($s->{subject}, $in->{virtuals}{$s->{v}}, $s->{rservice}, $s->{down} ? $now : 0);
  }
  elsif ($s->{op} eq 'age') {
    for (my $t = 0; $t < $s->{seconds}; $t++) { $now++; ld_emailalert_resend(); }
  }
}
`;
}

function runPerl(script: string, input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('perl', [script], { stdio: ['pipe', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`perl harness exited ${code}: ${stderr}`));
    });
    child.stdin.end(input);
  });
}

function perlVirtual(v: VirtualService, own: { emailalert?: boolean; freq?: boolean; status?: boolean }): PerlVirtual {
  const p: PerlVirtual = { server: v.address ?? '', port: v.port, protocol: v.protocol };
  if (own.emailalert) p.emailalert = v.emailalert.join(', ');
  if (own.freq) p.emailalertfreq = v.emailalertfreq;
  if (own.status) p.emailalertstatus = v.emailalertstatus.reduce((n, s) => n | STATUS_BIT[s], 0);
  if (v.servicename) p.servicename = v.servicename;
  if (v.comment) p.comment = v.comment;
  return p;
}

const comparable = (m: ReceivedMail) => ({
  subject: m.subject,
  text: m.text,
  from: m.fromHeader,
  to: m.toHeader,
  rcpt: m.rcptTo,
  envelopeFrom: m.envelopeFrom,
});

/** Log lines with the timestamp blanked (the two runs happen at different moments). */
const logLines = (path: string) =>
  (existsSync(path) ? readFileSync(path, 'utf8') : '')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\|/, '[TIME|').replace(/\|\d+\] /, '|PID] '));

describe('alerts side by side with ldirectord 4.12', { skip: existsSync(LDIRECTORD) ? false : `${LDIRECTORD} not installed (package ldirectord)` }, () => {
  it('sends the same mails and logs the same lines on the same scenario', async (t) => {
    const smtp = await startSmtp();
    t.after(() => smtp.close());
    const dir = mkdtempSync(join(tmpdir(), 'haldir-ldcompat-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const relay = { host: '127.0.0.1', port: smtp.port };
    const global = globalConfig({ emailalert: ['noc@example.org'], emailalertfrom: '"LB" <lb@example.org>', smtp: relay });
    // web: own recipient, repeats every 30 s, service name and comment; db: global
    // recipient, mails only while running, no repeats.
    const web = virtual({ emailalert: ['web@example.org'], emailalertfreq: 30, servicename: 'web shop', comment: 'front pool', smtp: relay });
    const db = virtual({ address: '10.0.0.5', port: 3306, emailalert: [], emailalertstatus: ['running'], smtp: relay });
    const steps: Step[] = [
      { op: 'send', subject: 'Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)', v: 'web', rservice: '10.0.0.2:80', down: false },
      { op: 'send', subject: 'Added real server: 10.0.0.6:3306 (10.0.0.5:3306) (Weight set to 1)', v: 'db', rservice: '10.0.0.6:3306', down: false },
      { op: 'status', value: 'running' },
      { op: 'send', subject: 'Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', v: 'web', rservice: '10.0.0.2:80', down: true },
      { op: 'send', subject: 'Quiescent real server: 10.0.0.6:3306 (10.0.0.5:3306) (Weight set to 0)', v: 'db', rservice: '10.0.0.6:3306', down: true },
      { op: 'age', seconds: 65 },
      { op: 'send', subject: 'Restored real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)', v: 'web', rservice: '10.0.0.2:80', down: false },
      { op: 'age', seconds: 60 },
      { op: 'status', value: 'stopping' },
      { op: 'send', subject: 'Deleted real server: 10.0.0.6:3306 (10.0.0.5:3306)', v: 'db', rservice: '10.0.0.6:3306', down: true },
    ];

    // ldirectord's subs under Perl.
    const ldLog = join(dir, 'ldirectord.log');
    const input = {
      smtp: `127.0.0.1:${smtp.port}`,
      emailalert: global.emailalert.join(', '),
      emailalertfrom: global.emailalertfrom,
      logfile: ldLog,
      virtuals: { web: perlVirtual(web, { emailalert: true, freq: true }), db: perlVirtual(db, { status: true }) },
      steps: steps.map((s) => (s.op === 'status' ? { op: 'status', bit: STATUS_BIT[s.value] } : s)),
    };
    const script = join(dir, 'harness.pl');
    writeFileSync(script, perlHarness());
    // Asynchronously: the SMTP server it talks to lives in this process.
    await runPerl(script, JSON.stringify(input));
    const ldMails = smtp.mails.splice(0).map(comparable);

    // haldir on the same steps.
    const clock = new ManualClock();
    const hdLog = join(dir, 'haldir.log');
    const logger = new FileLogSink({ path: hdLog, cfgName: '/etc/ha.d/ldirectord.cf', clock });
    // Repeats run on the manual clock; the mailer's timeouts and retries are real ones.
    const mailer = new Mailer({ clock: systemClock(), logger, hostname: hostname() });
    const policy = new AlertPolicy({ clock, logger, send: (m) => mailer.enqueue(m), global, hostname: hostname(), status: 'starting' });
    const byName: Record<string, VirtualService> = { web, db };
    for (const s of steps) {
      if (s.op === 'status') policy.setDaemonStatus(s.value);
      else if (s.op === 'age') for (let i = 0; i < s.seconds; i++) clock.advance(1000);
      else {
        logger.info(s.subject);
        policy.realServerChanged({ message: s.subject, virtual: byName[s.v]!, real: s.rservice, down: s.down });
      }
    }
    await mailer.idle();
    await mailer.stop(1000);
    await logger.close();
    const hdMails = smtp.mails.splice(0).map(comparable);

    assert.ok(ldMails.length >= 6, `ldirectord sent ${ldMails.length} mails`);
    assert.deepEqual(hdMails, ldMails);
    assert.deepEqual(logLines(hdLog), logLines(ldLog));
    assert.ok(ldMails.some((m) => m.subject === '[web shop] Inaccessible real server: 10.0.0.2:80 (10.0.0.1:80)'));
  });
});
