// The mailer against a real SMTP server (smtp-server on loopback, mails parsed with
// mailparser): ldirectord's texts end to end, outage and recovery, refusals, AUTH,
// STARTTLS and implicit TLS, batching, and the local sendmail path.

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { Alerting } from '../../src/alerts/alerting.js';
import { vrrpInstanceAlert } from '../../src/alerts/generic.js';
import { Mailer, type MailerOptions } from '../../src/alerts/mailer.js';
import type { AlertMessage } from '../../src/alerts/message.js';
import { AlertPolicy } from '../../src/alerts/policy.js';
import type { NodemailerOptions } from '../../src/alerts/transport.js';
import { systemClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';
import { globalConfig, virtual } from './helpers/config.js';
import { freePort, selfSignedCert, startSmtp } from './helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';

const fast = { connectionTimeoutMs: 1000, socketTimeoutMs: 1000 };

function mailer(extra: Partial<MailerOptions> & { nodemailer?: NodemailerOptions } = {}) {
  const logger = new MemoryLogger();
  const m = new Mailer({
    clock: systemClock(),
    logger,
    hostname: 'lb1',
    envelopeFrom: 'root@lb1',
    retryInitialMs: 50,
    retryMaxMs: 200,
    attemptTimeoutMs: 5000,
    ...extra,
    nodemailer: { ...fast, ...extra.nodemailer },
  });
  return { m, logger };
}

const alert = (subject: string, port: number, to = ['ops@example.org']): AlertMessage => ({
  to,
  from: undefined,
  subject,
  body: `${subject}\n`,
  smtp: { host: '127.0.0.1', port },
});

describe('mailer over SMTP', () => {
  it("mails ldirectord's alerts: per-virtual and global recipients, From, subject and body", async (t) => {
    const smtp = await startSmtp();
    t.after(() => smtp.close());
    const { m } = mailer();
    const relay = { host: '127.0.0.1', port: smtp.port };
    const global = globalConfig({ emailalert: ['noc@example.org'], emailalertfrom: '"LB alerts" <lb@example.org>', smtp: relay });
    const policy = new AlertPolicy({ clock: systemClock(), logger: new MemoryLogger(), send: (a) => m.enqueue(a), global, hostname: 'lb1', status: 'running' });
    const web = virtual({ emailalert: ['web@example.org', 'oncall@example.org'], servicename: 'web', comment: 'front pool', smtp: relay });
    const dns = virtual({ address: '10.0.0.53', port: 53, smtp: relay });
    policy.realServerChanged({ message: 'Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', virtual: web, real: '10.0.0.2:80' });
    policy.realServerChanged({ message: 'Added real server: 10.0.0.5:53 (10.0.0.53:53) (Weight set to 1)', virtual: dns, real: '10.0.0.5:53' });
    const [a, b] = await smtp.waitFor(2);
    assert.equal(a?.subject, '[web] Deleted real server: 10.0.0.2:80 (10.0.0.1:80)');
    assert.deepEqual(a?.rcptTo, ['web@example.org', 'oncall@example.org']);
    assert.equal(a?.toHeader, 'web@example.org, oncall@example.org');
    assert.equal(a?.envelopeFrom, 'root@lb1');
    assert.equal(a?.fromHeader, '"LB alerts" <lb@example.org>');
    assert.equal(
      a?.text,
      'ldirectord host: lb1\nLog-Message: [web] Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\nDaemon-Status: running\n\nService name: web\nComment: front pool\n\n',
    );
    assert.equal(b?.subject, 'Added real server: 10.0.0.5:53 (10.0.0.53:53) (Weight set to 1)');
    assert.deepEqual(b?.rcptTo, ['noc@example.org']);
    assert.equal(b?.secure, false, 'plain SMTP as ldirectord (no opportunistic STARTTLS)');
    await m.stop(1000);
  });

  it('never blocks while the server is down, then delivers everything in order when it starts', async (t) => {
    const port = await freePort();
    const { m, logger } = mailer();
    const started = performance.now();
    for (let i = 1; i <= 5; i++) m.enqueue(alert(`alert ${i}`, port));
    assert.ok(performance.now() - started < 200, 'enqueue returns at once');
    await waitFor('"failed to send SMTP email message" (ECONNREFUSED) for alert 1', () => logger.messages().some((l) => /^failed to send SMTP email message: .*ECONNREFUSED.*alert "alert 1"/.test(l)), { describe: () => logger.messages().join('\n') });
    assert.equal(m.stats().queued, 5);
    const smtp = await startSmtp({ port });
    t.after(() => smtp.close());
    await smtp.waitFor(5);
    assert.deepEqual(smtp.mails.map((x) => x.subject), ['alert 1', 'alert 2', 'alert 3', 'alert 4', 'alert 5']);
    assert.ok(logger.messages().some((l) => /reachable again after \d+ failed attempts?; 4 alerts still queued/.test(l)));
    // The server goes away again mid-run and comes back: nothing lost.
    await smtp.close();
    m.enqueue(alert('alert 6', port));
    m.enqueue(alert('alert 7', port));
    // the server is really down for them: a delivery attempt fails before it returns
    await waitFor('a failed delivery of alert 6 while the server is down', () => logger.messages().some((l) => /^failed to send SMTP email message: .*alert "alert 6"/.test(l)), { describe: () => logger.messages().join('\n') });
    const again = await startSmtp({ port });
    t.after(() => again.close());
    await again.waitFor(2);
    assert.deepEqual(again.mails.map((x) => x.subject), ['alert 6', 'alert 7']);
    assert.equal((await m.stop(1000)).undelivered, 0);
    assert.equal(m.stats().delivered, 7);
  });

  it('does not wait on a server that accepts but never answers', async (t) => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    t.after(() => {
      for (const s of sockets) s.destroy();
      silent.close();
    });
    const port = (silent.address() as { port: number }).port;
    const { m, logger } = mailer({ nodemailer: { connectionTimeoutMs: 300, socketTimeoutMs: 300 } });
    const started = performance.now();
    m.enqueue(alert('stuck', port));
    assert.ok(performance.now() - started < 100);
    const result = await m.stop(800);
    assert.deepEqual(result, { delivered: 0, undelivered: 1 });
    assert.ok(logger.messages().some((l) => /^failed to send SMTP email message: .*(Greeting never received|ETIMEDOUT)/i.test(l)), logger.messages().join('\n'));
    assert.ok(logger.messages().includes(`emailalert: not delivered before shutdown (SMTP server 127.0.0.1:${port} unreachable): "stuck"`));
  });

  it('drops a message the server refuses for good, and goes on with the next', async (t) => {
    const smtp = await startSmtp({ rejectRcpt: ['nobody@example.org'] });
    t.after(() => smtp.close());
    const { m, logger } = mailer();
    m.enqueue(alert('to nobody', smtp.port, ['nobody@example.org']));
    m.enqueue(alert('to ops', smtp.port));
    await smtp.waitFor(1);
    await m.idle();
    assert.deepEqual(smtp.mails.map((x) => x.subject), ['to ops']);
    assert.ok(logger.messages().some((l) => /refused alert "to nobody" \(.*550.*\); not retrying/.test(l)), logger.messages().join('\n'));
    await m.stop(500);
  });

  it('batches a burst into one summary mail', async (t) => {
    const smtp = await startSmtp();
    t.after(() => smtp.close());
    const { m } = mailer({ batchWindowMs: 300 });
    for (const s of ['Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', 'Deleted real server: 10.0.0.3:80 (10.0.0.1:80)', 'Added real server: 10.0.0.4:80 (10.0.0.1:80) (Weight set to 1)']) {
      m.enqueue(alert(s, smtp.port));
    }
    const [mail] = await smtp.waitFor(1);
    await m.idle();
    assert.equal(smtp.mails.length, 1);
    assert.equal(mail?.subject, 'haldir: 3 changes on lb1');
    assert.match(mail?.text ?? '', /1\. Deleted real server: 10\.0\.0\.2:80 \(10\.0\.0\.1:80\)\n2\. Deleted real server: 10\.0\.0\.3:80/);
    assert.match(mail?.text ?? '', /----- 3\. Added real server: 10\.0\.0\.4:80 \(10\.0\.0\.1:80\) \(Weight set to 1\) -----/);
    await m.stop(500);
  });
});

describe('mailer AUTH and TLS (haldir extensions)', () => {
  let cert: { key: string; cert: string };
  before(() => {
    cert = selfSignedCert();
  });

  it('authenticates over STARTTLS; a wrong password is logged and retried', async (t) => {
    const smtp = await startSmtp({ tls: cert, auth: { user: 'alerts', pass: 's3cret' } });
    t.after(() => smtp.close());
    const bad = mailer({ nodemailer: { smtptls: 'starttls', smtpuser: 'alerts', smtppasswd: 'wrong', tlsOptions: { ca: cert.cert } } });
    bad.m.enqueue(alert('with a wrong password', smtp.port));
    await waitFor('a second AUTH attempt (the retry)', () => smtp.authFailures() >= 2, { describe: () => `${smtp.authFailures()} AUTH failures` });
    await waitFor('"failed to send SMTP email message" for the wrong password', () => bad.logger.messages().some((l) => /^failed to send SMTP email message: .*(EAUTH|Invalid username or password)/.test(l)), { describe: () => bad.logger.messages().join('\n') });
    assert.equal(smtp.mails.length, 0);
    assert.deepEqual(await bad.m.stop(100), { delivered: 0, undelivered: 1 });

    const good = mailer({ nodemailer: { smtptls: 'starttls', smtpuser: 'alerts', smtppasswd: 's3cret', tlsOptions: { ca: cert.cert } } });
    good.m.enqueue(alert('authenticated', smtp.port));
    const [mail] = await smtp.waitFor(1);
    assert.equal(mail?.subject, 'authenticated');
    assert.equal(mail?.secure, true, 'upgraded with STARTTLS');
    assert.equal(mail?.user, 'alerts');
    await good.m.stop(500);
  });

  it('a reload with the right password delivers what queued up under the wrong one', async (t) => {
    const smtp = await startSmtp({ tls: cert, auth: { user: 'alerts', pass: 's3cret' } });
    t.after(() => smtp.close());
    const relay = { host: '127.0.0.1', port: smtp.port };
    const logger = new MemoryLogger();
    const wrong = globalConfig({ emailalert: ['ops@example.org'], smtp: relay, smtpuser: 'alerts', smtppasswd: 'wrong', smtptls: 'starttls' });
    const alerting = new Alerting({ global: wrong }, { clock: systemClock(), logger, hostname: 'lb1', tlsOptions: { ca: cert.cert } });
    const v = virtual({ smtp: relay });
    alerting.policy.setDaemonStatus('running');
    alerting.policy.realServerChanged({ message: 'Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', virtual: v, real: '10.0.0.2:80' });
    alerting.send(vrrpInstanceAlert('lb1', 'VI_1', 'BACKUP', { to: ['ops@example.org'], smtp: relay }));
    await waitFor('an AUTH failure under the wrong password', () => smtp.authFailures() >= 1);
    assert.equal(smtp.mails.length, 0);
    alerting.reconfigure({ global: { ...wrong, smtppasswd: 's3cret' }, virtuals: [v] });
    await smtp.waitFor(2);
    assert.deepEqual(smtp.mails.map((m) => m.subject), ['Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', '[lb1] VRRP Instance VI_1 - Entering BACKUP state']);
    assert.ok(smtp.mails.every((m) => m.secure && m.user === 'alerts'));
    assert.ok(logger.messages().includes('emailalert: Deleted real server: 10.0.0.2:80 (10.0.0.1:80)'));
    assert.equal((await alerting.stop(500)).undelivered, 0);
  });

  it('refuses to send without TLS when starttls is required and the server has none', async (t) => {
    const smtp = await startSmtp();
    t.after(() => smtp.close());
    const { m, logger } = mailer({ nodemailer: { smtptls: 'starttls' } });
    m.enqueue(alert('needs tls', smtp.port));
    await waitFor('"failed to send SMTP email message" naming STARTTLS', () => logger.messages().some((l) => /^failed to send SMTP email message: .*STARTTLS/i.test(l)), { describe: () => logger.messages().join('\n') });
    assert.equal(smtp.mails.length, 0);
    await m.stop(50);
  });

  it('speaks implicit TLS (smtptls = tls) and checks the certificate', async (t) => {
    const smtp = await startSmtp({ secure: true, tls: cert });
    t.after(() => smtp.close());
    const trusted = mailer({ nodemailer: { smtptls: 'tls', tlsOptions: { ca: cert.cert } } });
    trusted.m.enqueue(alert('over tls', smtp.port));
    const [mail] = await smtp.waitFor(1);
    assert.equal(mail?.subject, 'over tls');
    assert.equal(mail?.secure, true);
    await trusted.m.stop(500);

    const untrusted = mailer({ nodemailer: { smtptls: 'tls' } });
    untrusted.m.enqueue(alert('self-signed, not trusted', smtp.port));
    await waitFor('"failed to send SMTP email message" naming the certificate', () => untrusted.logger.messages().some((l) => /^failed to send SMTP email message: .*(self.signed|certificate)/i.test(l)), { describe: () => untrusted.logger.messages().join('\n') });
    assert.equal(smtp.mails.length, 1);
    await untrusted.m.stop(50);
  });
});

describe('mailer via the local sendmail (no smtp directive)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'haldir-sendmail-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('pipes the mail to sendmail -i -f SENDER RCPT...', async () => {
    // A stand-in sendmail that records its arguments and the message it is given.
    const sendmail = join(dir, 'sendmail');
    writeFileSync(sendmail, `#!/bin/sh\nprintf '%s\\n' "$@" > ${dir}/args\ncat > ${dir}/message\n`);
    chmodSync(sendmail, 0o755);
    const { m } = mailer({ envelopeFrom: undefined, nodemailer: { sendmailPath: sendmail } });
    m.enqueue({ to: ['ops@example.org', 'noc@example.org'], from: 'lb@example.org', subject: 'Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', body: 'ldirectord host: lb1\n', smtp: undefined });
    await m.idle();
    const me = `${userInfo().username}@lb1`;
    assert.deepEqual(readFileSync(join(dir, 'args'), 'utf8').trim().split('\n'), ['-i', '-f', me, 'ops@example.org', 'noc@example.org']);
    const parsed = await simpleParser(readFileSync(join(dir, 'message')));
    assert.equal(parsed.subject, 'Deleted real server: 10.0.0.2:80 (10.0.0.1:80)');
    assert.equal(parsed.from?.text, 'lb@example.org');
    assert.equal(parsed.text, 'ldirectord host: lb1\n');
    await m.stop(100);
  });

  it('logs ldirectord\'s "failed to send email message" when sendmail fails', async () => {
    const sendmail = join(dir, 'broken-sendmail');
    writeFileSync(sendmail, '#!/bin/sh\necho "sendmail: cannot queue" >&2\nexit 75\n');
    chmodSync(sendmail, 0o755);
    const { m, logger } = mailer({ nodemailer: { sendmailPath: sendmail } });
    m.enqueue({ to: ['ops@example.org'], from: undefined, subject: 's', body: 'b\n', smtp: undefined });
    await waitFor('"failed to send email message ... via local sendmail"', () => logger.messages().some((l) => l.startsWith('failed to send email message: ') && l.includes('via local sendmail')), { describe: () => logger.messages().join('\n') });
    assert.deepEqual(await m.stop(50), { delivered: 0, undelivered: 1 });
  });
});
