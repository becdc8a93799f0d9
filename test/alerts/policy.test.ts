// The alert policy against ldirectord's texts and timing (ManualClock, no sleeping).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Alerting } from '../../src/alerts/alerting.js';
import type { AlertMessage } from '../../src/alerts/message.js';
import type { OutgoingMail } from '../../src/alerts/transport.js';
import {
  AlertPolicy,
  alertBody,
  decideAlert,
  marksRealDown,
  realServiceStr,
  repeatId,
  virtualServiceStr,
} from '../../src/alerts/policy.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';
import { globalConfig, real, virtual } from './helpers/config.js';

function setup(status: 'starting' | 'running' = 'running') {
  const clock = new ManualClock();
  const logger = new MemoryLogger();
  const sent: AlertMessage[] = [];
  const global = globalConfig({ emailalert: ['global@example.org'], emailalertfrom: 'lb@example.org' });
  const policy = new AlertPolicy({ clock, logger, send: (m) => sent.push(m), global, hostname: 'lb1', status });
  return { clock, logger, sent, policy, global };
}

describe('alert texts (ld_emailalert_send, ld_emailalert_net_smtp)', () => {
  it('uses the log message as subject and ldirectord body lines', () => {
    const v = virtual({ emailalert: ['ops@example.org'] });
    const m = decideAlert('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', v, {
      status: 'running',
      hostname: 'lb1',
      global: globalConfig({ emailalertfrom: 'lb@example.org' }),
    });
    assert.deepEqual(m, {
      to: ['ops@example.org'],
      from: 'lb@example.org',
      subject: 'Deleted real server: 10.0.0.2:80 (10.0.0.1:80)',
      body: 'ldirectord host: lb1\nLog-Message: Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\nDaemon-Status: running\n',
      smtp: undefined,
    });
  });

  it('prefixes [servicename] and appends Service name / Comment after a blank line', () => {
    const v = virtual({ emailalert: ['ops@example.org'], servicename: 'web', comment: 'front pool' });
    const m = decideAlert('Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)', v, {
      status: 'starting',
      hostname: 'lb1',
      global: globalConfig(),
    });
    assert.equal(m?.subject, '[web] Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)');
    assert.equal(
      m?.body,
      'ldirectord host: lb1\n' +
        'Log-Message: [web] Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)\n' +
        'Daemon-Status: starting\n' +
        '\nService name: web\nComment: front pool\n\n',
    );
    assert.equal(alertBody('s', 'stopping', 'h', 'Comment: c\n'), 'ldirectord host: h\nLog-Message: s\nDaemon-Status: stopping\n\nComment: c\n\n');
  });

  it('takes the virtual recipients, else the global ones, and the virtual relay, else the global one', () => {
    const g = globalConfig({ emailalert: ['all@example.org'], smtp: { host: 'relay', port: 25 } });
    const ctx = { status: 'running' as const, hostname: 'h', global: g };
    assert.deepEqual(decideAlert('x', virtual(), ctx)?.to, ['all@example.org']);
    assert.deepEqual(decideAlert('x', virtual(), ctx)?.smtp, { host: 'relay', port: 25 });
    const own = virtual({ emailalert: ['a@x', 'b@x'], smtp: { host: 'other', port: 2525 } });
    assert.deepEqual(decideAlert('x', own, ctx)?.to, ['a@x', 'b@x']);
    assert.deepEqual(decideAlert('x', own, ctx)?.smtp, { host: 'other', port: 2525 });
    assert.equal(decideAlert('x', virtual(), { ...ctx, global: globalConfig() }), undefined, 'no recipient, no mail');
  });

  it('sends only in the daemon states listed in emailalertstatus', () => {
    const v = virtual({ emailalert: ['a@x'], emailalertstatus: ['running', 'stopping'] });
    const g = globalConfig();
    assert.equal(decideAlert('x', v, { status: 'starting', hostname: 'h', global: g }), undefined);
    assert.equal(decideAlert('x', v, { status: 'reloading', hostname: 'h', global: g }), undefined);
    assert.ok(decideAlert('x', v, { status: 'running', hostname: 'h', global: g }));
    assert.equal(decideAlert('x', virtual({ emailalert: ['a@x'], emailalertstatus: [] }), { status: 'running', hostname: 'h', global: g }), undefined, 'none');
  });

  it("spells virtuals and reals as ldirectord's get_virtual", () => {
    assert.equal(virtualServiceStr(virtual()), '10.0.0.1:80');
    assert.equal(virtualServiceStr(virtual({ address: '2001:db8::1', port: 443 })), '[2001:db8::1]:443');
    assert.equal(virtualServiceStr(virtual({ protocol: 'fwm', address: undefined, port: 0, fwmark: 7 })), '7');
    assert.equal(realServiceStr(real('2001:db8::2', 8080)), '[2001:db8::2]:8080');
    assert.equal(repeatId(virtual(), '10.0.0.2:80'), '10.0.0.2:80 (10.0.0.1:80)');
  });

  it('treats only Quiescent/Deleted of a real as down', () => {
    assert.ok(marksRealDown('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)'));
    assert.ok(marksRealDown('Quiescent real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 0)'));
    assert.ok(!marksRealDown('Deleted fallback server: 127.0.0.1:80 (10.0.0.1:80)'));
    assert.ok(!marksRealDown('Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)'));
    assert.ok(!marksRealDown('Restored real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)'));
    assert.ok(!marksRealDown('Purged real server (real): 10.0.0.2:80 (10.0.0.1:80)'));
  });
});

describe('AlertPolicy (ld_emailalert_resend)', () => {
  it('logs "emailalert: MSG" and sends one mail per change', () => {
    const { logger, sent, policy } = setup();
    policy.realServerChanged({ message: 'Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)', virtual: virtual(), real: '10.0.0.2:80' });
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]?.to, ['global@example.org']);
    assert.deepEqual(logger.messages(), ['emailalert: Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)']);
  });

  it('repeats "Inaccessible real server" every emailalertfreq seconds until the real is back', () => {
    const { clock, sent, policy } = setup();
    const v = virtual({ emailalertfreq: 60 });
    policy.realServerChanged({ message: 'Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', virtual: v, real: '10.0.0.2:80' });
    assert.equal(sent.length, 1);
    clock.advance(59_999);
    assert.equal(sent.length, 1, 'not before emailalertfreq');
    clock.advance(1);
    assert.equal(sent.length, 2);
    assert.equal(sent[1]?.subject, 'Inaccessible real server: 10.0.0.2:80 (10.0.0.1:80)');
    assert.match(sent[1]?.body ?? '', /^ldirectord host: lb1\nLog-Message: Inaccessible real server: 10\.0\.0\.2:80 \(10\.0\.0\.1:80\)\nDaemon-Status: running\n$/);
    clock.advance(120_000);
    assert.equal(sent.length, 4, 'once per period');
    assert.deepEqual(policy.repeating(), ['10.0.0.2:80 (10.0.0.1:80)']);
    policy.realServerChanged({ message: 'Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)', virtual: v, real: '10.0.0.2:80' });
    assert.equal(sent.length, 5);
    clock.advance(600_000);
    assert.equal(sent.length, 5, 'no repeats once the real is back');
    assert.deepEqual(policy.repeating(), []);
    assert.equal(clock.pendingCount, 0);
  });

  it('does not repeat with emailalertfreq 0 nor for a fallback', () => {
    const { clock, sent, policy } = setup();
    policy.realServerChanged({ message: 'Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', virtual: virtual(), real: '10.0.0.2:80' });
    policy.realServerChanged({
      message: 'Deleted fallback server: 127.0.0.1:80 (10.0.0.1:80)',
      virtual: virtual({ emailalertfreq: 10 }),
      real: '127.0.0.1:80',
    });
    clock.advance(3_600_000);
    assert.equal(sent.length, 2);
    assert.equal(clock.pendingCount, 0);
  });

  it('keeps the repeat armed while the status filter blocks mail, and mails once it allows', () => {
    const { clock, sent, logger, policy } = setup('starting');
    const v = virtual({ emailalertfreq: 30, emailalertstatus: ['running'] });
    policy.realServerChanged({ message: 'Deleted real server: 10.0.0.3:80 (10.0.0.1:80)', virtual: v, real: '10.0.0.3:80' });
    assert.equal(sent.length, 0);
    assert.deepEqual(logger.messages(), [], 'nothing logged for a filtered alert');
    clock.advance(30_000);
    assert.equal(sent.length, 0);
    policy.setDaemonStatus('running');
    clock.advance(30_000);
    assert.equal(sent.length, 1);
    assert.match(sent[0]?.body ?? '', /Daemon-Status: running/);
  });

  it('stops repeating for reals and virtuals the new config no longer has, and takes new settings', () => {
    const { clock, sent, policy, global } = setup();
    const v = virtual({ emailalertfreq: 10 });
    const other = virtual({ address: '10.0.0.9', emailalertfreq: 10 });
    policy.realServerChanged({ message: 'Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', virtual: v, real: '10.0.0.2:80' });
    policy.realServerChanged({ message: 'Deleted real server: 10.0.0.3:80 (10.0.0.1:80)', virtual: v, real: '10.0.0.3:80' });
    policy.realServerChanged({ message: 'Deleted real server: 10.0.0.2:80 (10.0.0.9:80)', virtual: other, real: '10.0.0.2:80' });
    assert.equal(policy.repeating().length, 3);
    // Reload: 10.0.0.3 leaves the first virtual, the second virtual is gone, and the
    // first one now mails a different team every 20 s.
    const v2 = virtual({ emailalertfreq: 20, emailalert: ['team@example.org'], reals: [real('10.0.0.2', 80)] });
    policy.reconfigure({ global, virtuals: [v2] });
    assert.deepEqual(policy.repeating(), ['10.0.0.2:80 (10.0.0.1:80)']);
    sent.length = 0;
    clock.advance(20_000);
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]?.to, ['team@example.org']);
    assert.equal(sent[0]?.subject, 'Inaccessible real server: 10.0.0.2:80 (10.0.0.1:80)');
    policy.stop();
    assert.equal(clock.pendingCount, 0);
  });

  it('keeps repeating across a reload for a real logged on the virtual port (mapped gate real)', () => {
    const { clock, sent, policy, global } = setup();
    const v = virtual({ emailalertfreq: 10, reals: [real('10.0.0.2', 8080)] });
    policy.realServerChanged({ message: 'Deleted real server: 10.0.0.2:80 mapped from 10.0.0.2:8080 (10.0.0.1:80)', virtual: v, real: '10.0.0.2:80' });
    policy.reconfigure({ global, virtuals: [v] });
    assert.deepEqual(policy.repeating(), ['10.0.0.2:80 (10.0.0.1:80)']);
    clock.advance(10_000);
    assert.equal(sent.at(-1)?.subject, 'Inaccessible real server: 10.0.0.2:80 (10.0.0.1:80)');
    policy.stop();
  });
});

describe('Alerting.tableChanged (pool planner events)', () => {
  it('mails each event with an alert subject and arms repeats only for reals going down', async () => {
    const clock = new ManualClock();
    const delivered: OutgoingMail[] = [];
    const transports = () => () => ({
      send: (m: OutgoingMail) => {
        delivered.push(m);
        return Promise.resolve();
      },
      close: () => {},
    });
    const g = globalConfig({ emailalert: ['ops@example.org'], emailalertfreq: 0 });
    const web = virtual({ emailalertfreq: 60, emailalert: ['ops@example.org'] });
    const alerting = new Alerting({ global: g }, { clock, logger: new MemoryLogger(), hostname: 'lb1', transports });
    alerting.policy.setDaemonStatus('running');
    alerting.tableChanged(
      [
        { kind: 'virtual-added', virtualId: web.id, server: undefined, alert: undefined },
        { kind: 'readd-quiescent', virtualId: web.id, server: '10.0.0.2:80', alert: 'Quiescent real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 0)' },
        { kind: 'deleted-fallback', virtualId: web.id, server: '127.0.0.1:80', alert: 'Deleted fallback server: 127.0.0.1:80 (10.0.0.1:80)' },
        { kind: 'added', virtualId: 'tcp:10.9.9.9:80', server: '10.0.0.7:80', alert: 'Added real server: 10.0.0.7:80 (10.9.9.9:80) (Weight set to 1)' },
      ],
      [web],
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(delivered.map((m) => m.subject), [
      'Quiescent real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 0)',
      'Deleted fallback server: 127.0.0.1:80 (10.0.0.1:80)',
    ]);
    assert.deepEqual(alerting.policy.repeating(), ['10.0.0.2:80 (10.0.0.1:80)']);
    clock.advance(60_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(delivered.at(-1)?.subject, 'Inaccessible real server: 10.0.0.2:80 (10.0.0.1:80)');
    assert.equal((await alerting.stop(1000)).undelivered, 0);
    assert.equal(clock.pendingCount, 0, 'no repeat timers left after stop');
  });
});
