// The frame every service check runs in: deadline, abort, thrown errors as data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alarmDeadline, down, runCheck, up } from '../../../src/checks/services/lib/run-check.js';
import { describeError } from '../../../src/checks/services/lib/describe-error.js';
import { lazyModule } from '../../../src/checks/services/lib/lazy-module.js';
import { ManualClock } from '../../../src/runtime/clock.js';
import { makeCtx, never } from './context.js';

const ctx = makeCtx({ service: 'smtp', port: 25, timeoutMs: 1000 });

describe('runCheck', () => {
  it('returns the body verdict with the clock-measured duration', async () => {
    const clock = new ManualClock();
    const r = await runCheck(
      ctx,
      never(),
      async () => {
        clock.advance(42);
        return up('fine');
      },
      { clock },
    );
    assert.deepEqual(r, { ok: true, message: 'fine', durationMs: 42 });
    assert.equal(clock.pendingCount, 0, 'deadline timer cleared');
  });

  it('turns a thrown error into a down verdict', async () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ECONNREFUSED' });
    const r = await runCheck(ctx, never(), async () => {
      throw err;
    });
    assert.equal(r.ok, false);
    assert.equal(r.message, 'connect ECONNREFUSED 127.0.0.1:25');
  });

  it('settles at the deadline and fires the body signal so it can close its sockets', async () => {
    const clock = new ManualClock();
    let bodySignal: AbortSignal | undefined;
    const pending = runCheck(
      ctx,
      never(),
      (sig) => {
        bodySignal = sig;
        return new Promise(() => undefined);
      },
      { clock, timeoutMs: 250 },
    );
    clock.advance(249);
    assert.equal(bodySignal?.aborted, false);
    clock.advance(1);
    const r = await pending;
    assert.deepEqual(r, { ok: false, message: 'no answer within 250 ms', durationMs: 250 });
    assert.equal(bodySignal?.aborted, true);
  });

  it('settles at once when the caller aborts, even if the body already failed on teardown', async () => {
    const ac = new AbortController();
    const pending = runCheck(ctx, ac.signal, (sig) => new Promise((_, reject) => sig.addEventListener('abort', () => reject(new Error('socket destroyed')))));
    ac.abort();
    const r = await pending;
    assert.equal(r.message, 'check aborted');
    const pre = await runCheck(ctx, ac.signal, async () => down('never run to completion'));
    assert.equal(pre.message, 'check aborted');
  });

  it('failureWording keeps ldirectord\'s message for timeouts and thrown errors, with the reason in detail', async () => {
    const clock = new ManualClock();
    const pending = runCheck(ctx, never(), () => new Promise(() => undefined), { clock, timeoutMs: 100, failureWording: 'No answer received' });
    clock.advance(100);
    assert.deepEqual(await pending, { ok: false, message: 'No answer received', durationMs: 100, detail: 'no answer within 100 ms' });
    const thrown = await runCheck(
      ctx,
      never(),
      async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:53');
      },
      { failureWording: 'Connection timed out' },
    );
    assert.equal(thrown.message, 'Connection timed out');
    assert.equal(thrown.detail, 'connect ECONNREFUSED 127.0.0.1:53');
    const decided = await runCheck(ctx, never(), async () => down('Response mismatch', 'got A 10.0.0.1'), { failureWording: 'x' });
    assert.equal(decided.message, 'Response mismatch');
    assert.equal(decided.detail, 'got A 10.0.0.1');
  });

  it('alarmDeadline is the smaller of negotiatetimeout and checktimeout', () => {
    assert.equal(alarmDeadline(makeCtx({ service: 'ldap', port: 389, timeoutMs: 30_000, checkTimeoutMs: 5000 })), 5000);
    assert.equal(alarmDeadline(makeCtx({ service: 'ldap', port: 389, timeoutMs: 3000, checkTimeoutMs: 5000 })), 3000);
    assert.equal(alarmDeadline(makeCtx({ service: 'ldap', port: 389, timeoutMs: 3000 })), 3000);
  });

  it('describeError keeps the errno code and makes one line', () => {
    assert.equal(describeError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), 'ECONNRESET: socket hang up');
    assert.equal(describeError(new Error('NJS-500: closed\nNJS-521: eof')), 'NJS-500: closed; NJS-521: eof');
    assert.equal(describeError(new AggregateError([new Error('a'), new Error('b')])), 'b');
    assert.equal(describeError('plain'), 'plain');
  });

  it('lazyModule loads once, shares the load, and retries after a failed load', async () => {
    let calls = 0;
    const load = lazyModule(async () => {
      calls++;
      if (calls === 1) throw new Error('ENOENT');
      return { n: calls };
    });
    await assert.rejects(load(), /ENOENT/);
    const [a, b] = await Promise.all([load(), load()]);
    assert.equal(a, b);
    assert.deepEqual(await load(), { n: 2 });
    assert.equal(calls, 2);
  });
});
