// The mailer's queue logic on a ManualClock with a scripted transport: backoff timing,
// ordering, timeouts, the bound, batching windows and the stop deadline.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Mailer, retryDelay } from '../../src/alerts/mailer.js';
import type { AlertMessage } from '../../src/alerts/message.js';
import type { MailTransport, OutgoingMail } from '../../src/alerts/transport.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A transport whose outcome per attempt is scripted: 'ok', 'fail' or 'hang'. */
function scripted(clock: ManualClock, plan: () => 'ok' | 'fail' | 'hang') {
  const calls: { at: number; mail: OutgoingMail }[] = [];
  const delivered: OutgoingMail[] = [];
  const transport: MailTransport = {
    send(mail) {
      calls.push({ at: clock.now(), mail });
      const outcome = plan();
      if (outcome === 'ok') {
        delivered.push(mail);
        return Promise.resolve();
      }
      if (outcome === 'hang') return new Promise<void>(() => {});
      return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ESOCKET' }));
    },
    close() {},
  };
  return { calls, delivered, factory: () => transport };
}

const msg = (subject: string, to = ['ops@example.org']): AlertMessage => ({
  to,
  from: undefined,
  subject,
  body: `${subject}\n`,
  smtp: { host: '127.0.0.1', port: 25 },
});

describe('Mailer queue', () => {
  it('backs off exponentially up to the cap', async () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, 1000, 8000)), [1000, 2000, 4000, 8000, 8000, 8000]);
    const clock = new ManualClock();
    const logger = new MemoryLogger();
    const t = scripted(clock, () => 'fail');
    const mailer = new Mailer({ clock, logger, transports: t.factory, retryInitialMs: 1000, retryMaxMs: 8000, hostname: 'lb1', envelopeFrom: 'root@lb1' });
    mailer.enqueue(msg('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)'));
    for (let i = 0; i < 23; i++) {
      await tick();
      clock.advance(1000);
    }
    await tick();
    assert.deepEqual(t.calls.map((c) => c.at), [0, 1000, 3000, 7000, 15000, 23000]);
    const failures = logger.messages().filter((l) => l.startsWith('failed to send SMTP email message: '));
    assert.equal(failures.length, 6);
    assert.match(failures[0]!, /ECONNREFUSED.*alert "Deleted real server: 10\.0\.0\.2:80 \(10\.0\.0\.1:80\)" to ops@example\.org via SMTP server 127\.0\.0\.1:25; 1 queued; attempt 1, retrying in 1s/);
    assert.equal(mailer.stats().failedAttempts, 6);
  });

  it('delivers in order once the server answers, and says so', async () => {
    const clock = new ManualClock();
    const logger = new MemoryLogger();
    let n = 0;
    const t = scripted(clock, () => (++n <= 2 ? 'fail' : 'ok'));
    const mailer = new Mailer({ clock, logger, transports: t.factory, retryInitialMs: 100, envelopeFrom: 'root@lb1' });
    for (const s of ['A', 'B', 'C']) mailer.enqueue(msg(s));
    for (let i = 0; i < 10; i++) {
      await tick();
      clock.advance(100);
    }
    await mailer.idle();
    assert.deepEqual(t.delivered.map((m) => m.subject), ['A', 'B', 'C']);
    assert.equal(t.delivered[0]?.envelopeFrom, 'root@lb1');
    assert.equal(t.delivered[0]?.from, 'root@lb1', 'From: defaults to the envelope sender');
    assert.ok(logger.messages().includes('emailalert: SMTP server 127.0.0.1:25 reachable again after 2 failed attempts; 2 alerts still queued'));
    assert.deepEqual(mailer.stats(), { queued: 0, delivered: 3, dropped: 0, failedAttempts: 2 });
  });

  it('gives up an attempt that hangs after attemptTimeoutMs and retries', async () => {
    const clock = new ManualClock();
    const logger = new MemoryLogger();
    let n = 0;
    const t = scripted(clock, () => (++n === 1 ? 'hang' : 'ok'));
    const mailer = new Mailer({ clock, logger, transports: t.factory, attemptTimeoutMs: 5000, retryInitialMs: 1000 });
    const started = performance.now();
    mailer.enqueue(msg('X'));
    assert.ok(performance.now() - started < 100, 'enqueue returns at once');
    clock.advance(5000);
    await tick();
    assert.match(logger.messages()[0] ?? '', /ETIMEDOUT: no answer within 5s/);
    clock.advance(1000);
    await mailer.idle();
    assert.deepEqual(t.calls.map((c) => c.at), [0, 6000]);
    assert.equal(t.delivered.length, 1);
  });

  it('bounds the queue, dropping the oldest waiting alert with a log line', async () => {
    const clock = new ManualClock();
    const logger = new MemoryLogger();
    const t = scripted(clock, () => 'fail');
    const mailer = new Mailer({ clock, logger, transports: t.factory, maxQueue: 3 });
    for (const s of ['1', '2', '3', '4', '5']) mailer.enqueue(msg(s));
    const drops = logger.messages().filter((l) => l.includes('full'));
    assert.deepEqual(drops, [
      'emailalert: queue for SMTP server 127.0.0.1:25 full (3 messages), dropped alert "2"',
      'emailalert: queue for SMTP server 127.0.0.1:25 full (3 messages), dropped alert "3"',
    ]);
    assert.equal(mailer.stats().queued, 3);
    assert.equal(mailer.stats().dropped, 2);
    await tick();
  });

  it('batches alerts to the same recipients within the window', async () => {
    const clock = new ManualClock();
    const t = scripted(clock, () => 'ok');
    const mailer = new Mailer({ clock, logger: new MemoryLogger(), transports: t.factory, batchWindowMs: 2000, hostname: 'lb1' });
    mailer.enqueue(msg('one'));
    clock.advance(500);
    mailer.enqueue(msg('two'));
    mailer.enqueue(msg('other team', ['dev@example.org']));
    clock.advance(1400);
    mailer.enqueue(msg('three'));
    assert.equal(t.calls.length, 0, 'nothing sent inside the window');
    clock.advance(100);
    await tick(); // the other team's window is still open, so not idle yet
    assert.deepEqual(t.delivered.map((m) => m.subject), ['haldir: 3 changes on lb1']);
    assert.match(t.delivered[0]?.body ?? '', /1\. one\n2\. two\n3\. three\n/);
    clock.advance(500);
    await mailer.idle();
    assert.deepEqual(t.delivered.map((m) => m.subject), ['haldir: 3 changes on lb1', 'other team']);
  });

  it('stop flushes within the deadline and logs what it gives up', async () => {
    const clock = new ManualClock();
    const logger = new MemoryLogger();
    const t = scripted(clock, () => 'fail');
    const mailer = new Mailer({ clock, logger, transports: t.factory, retryInitialMs: 1000, retryMaxMs: 60_000 });
    mailer.enqueue(msg('first'));
    mailer.enqueue(msg('second'));
    await tick();
    clock.advance(10_000); // a few failures: the backoff is now long
    await tick();
    const callsBefore = t.calls.length;
    const done = mailer.stop(3000);
    await tick();
    assert.equal(t.calls.length, callsBefore + 1, 'stop retries at once instead of waiting out the backoff');
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await tick();
    }
    const result = await done;
    assert.deepEqual(result, { delivered: 0, undelivered: 2 });
    assert.ok(logger.messages().includes('emailalert: not delivered before shutdown (SMTP server 127.0.0.1:25 unreachable): "first"'));
    assert.ok(logger.messages().includes('emailalert: not delivered before shutdown (SMTP server 127.0.0.1:25 unreachable): "second"'));
    mailer.enqueue(msg('late'));
    assert.match(logger.messages().at(-1) ?? '', /mailer stopped, not sending alert "late"/);
  });
});
