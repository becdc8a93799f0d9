// haldir's own alerts (keepalived's VRRP texts, rejected reloads, split brain), batching
// and the password-permission warning: pure functions, plain values.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchKey, combineAlerts } from '../../src/alerts/batch.js';
import { smtpCleartextAuthWarning } from '../../src/alerts/config-warnings.js';
import { configRejectedAlert, splitBrainAlert, vrrpGroupAlert, vrrpInstanceAlert } from '../../src/alerts/generic.js';
import type { AlertMessage } from '../../src/alerts/message.js';
import { isPermanentFailure } from '../../src/alerts/transport.js';

const to = { to: ['ops@example.org'], from: 'vrrp@example.org', smtp: { host: '127.0.0.1', port: 25 } };

describe('generic alerts', () => {
  it("uses keepalived's VRRP subjects and bodies", () => {
    const m = vrrpInstanceAlert('LVS_DEVEL', 'VI_1', 'MASTER', to);
    assert.equal(m.subject, '[LVS_DEVEL] VRRP Instance VI_1 - Entering MASTER state');
    assert.equal(m.body, '=> VRRP Instance is now owning VRRP VIPs <=\n');
    assert.deepEqual(m.to, ['ops@example.org']);
    assert.equal(m.from, 'vrrp@example.org');
    const b = vrrpInstanceAlert('LVS_DEVEL', 'VI_1', 'BACKUP', to);
    assert.equal(b.subject, '[LVS_DEVEL] VRRP Instance VI_1 - Entering BACKUP state');
    assert.equal(b.body, '=> VRRP Instance is no longer owning VRRP VIPs <=\n');
    assert.equal(vrrpInstanceAlert('r', 'VI_2', 'FAULT', to).subject, '[r] VRRP Instance VI_2 - Entering FAULT state');
    const g = vrrpGroupAlert('r', 'G1', 'MASTER', to);
    assert.equal(g.subject, '[r] VRRP Group G1 - Entering MASTER state');
    assert.equal(g.body, '=> All VRRP group instances are now in MASTER state <=\n');
  });

  it('lists every diagnostic of a rejected reload', () => {
    const m = configRejectedAlert(
      'haldir',
      'lb1',
      '/etc/ha.d/ldirectord.cf',
      [
        { severity: 'error', code: 'E-UNKNOWN-DIRECTIVE', message: 'unknown directive "chektype"', file: '/etc/ha.d/ldirectord.cf', line: 12, column: 9 },
        { severity: 'warning', code: 'W-X', message: 'something odd', file: '/etc/ha.d/ldirectord.cf', line: 0, column: 0 },
      ],
      to,
    );
    assert.equal(m.subject, "[lb1] haldir: configuration '/etc/ha.d/ldirectord.cf' rejected on reload");
    assert.match(m.body, /^haldir host: lb1\n/);
    assert.match(m.body, /rejected \(1 error\); the running configuration stays in force/);
    assert.match(m.body, /\n\/etc\/ha\.d\/ldirectord\.cf:12:9: error\[E-UNKNOWN-DIRECTIVE\]: unknown directive "chektype"\n/);
    assert.match(m.body, /\n\/etc\/ha\.d\/ldirectord\.cf: warning\[W-X\]: something odd\n$/);
  });

  it('reports split brain and its end', () => {
    const s = splitBrainAlert('r', 'VI_1', 'suspected', 'peer 10.0.0.2 also MASTER for 10.0.0.100', to);
    assert.equal(s.subject, '[r] VRRP Instance VI_1 - Split brain suspected');
    assert.match(s.body, /^=> peer 10\.0\.0\.2 also MASTER for 10\.0\.0\.100 <=\n/);
    assert.equal(splitBrainAlert('r', 'VI_1', 'resolved', 'x', to).subject, '[r] VRRP Instance VI_1 - Split brain resolved');
  });
});

describe('batching', () => {
  const mk = (subject: string, rcpt = ['a@x']): AlertMessage => ({ to: rcpt, from: undefined, subject, body: `body of ${subject}\n`, smtp: undefined });

  it('groups by relay, sender and recipient set (in any order)', () => {
    assert.equal(batchKey(mk('1', ['a@x', 'b@x'])), batchKey(mk('2', ['b@x', 'a@x'])));
    assert.notEqual(batchKey(mk('1', ['a@x'])), batchKey(mk('2', ['b@x'])));
    assert.notEqual(batchKey(mk('1')), batchKey({ ...mk('1'), smtp: { host: 'h', port: 25 } }));
  });

  it('summarises several alerts in one mail and passes one through', () => {
    const one = mk('only');
    assert.equal(combineAlerts([one], 'lb1'), one);
    const m = combineAlerts([mk('first'), mk('second'), mk('third')], 'lb1');
    assert.equal(m.subject, 'haldir: 3 changes on lb1');
    assert.equal(
      m.body,
      '3 changes on lb1, oldest first:\n\n1. first\n2. second\n3. third\n\n' +
        '----- 1. first -----\nbody of first\n\n----- 2. second -----\nbody of second\n\n----- 3. third -----\nbody of third\n',
    );
  });
});

describe('smtpCleartextAuthWarning', () => {
  const remote = { host: '192.0.2.25', port: 25 };
  it('warns when a password would go to a relay on another host without TLS, only then', () => {
    assert.equal(smtpCleartextAuthWarning({ smtpuser: 'alerts', smtptls: 'none' }, [remote])?.code, 'W-SMTPAUTH-CLEARTEXT');
    assert.match(smtpCleartextAuthWarning({ smtpuser: 'alerts', smtptls: 'none' }, [undefined, remote])?.message ?? '', /to 192\.0\.2\.25:25 in clear text/);
    assert.equal(smtpCleartextAuthWarning({ smtpuser: 'alerts', smtptls: 'starttls' }, [remote]), undefined);
    assert.equal(smtpCleartextAuthWarning({ smtpuser: undefined, smtptls: 'none' }, [remote]), undefined);
    // a loopback relay (local MTA) or no relay at all (local sendmail): nothing crosses the network
    for (const host of ['127.0.0.1', '127.3.4.5', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
      assert.equal(smtpCleartextAuthWarning({ smtpuser: 'alerts', smtptls: 'none' }, [{ host, port: 25 }]), undefined, host);
    }
    assert.equal(smtpCleartextAuthWarning({ smtpuser: 'alerts', smtptls: 'none' }, [undefined]), undefined);
    assert.equal(smtpCleartextAuthWarning({ smtpuser: 'alerts', smtptls: 'none' }, [{ host: '128.0.0.1', port: 25 }])?.code, 'W-SMTPAUTH-CLEARTEXT');
  });
});

describe('isPermanentFailure', () => {
  it('gives up only on 5xx refusals of the message itself', () => {
    assert.ok(isPermanentFailure(Object.assign(new Error('rcpt'), { code: 'EENVELOPE', responseCode: 550 })));
    assert.ok(!isPermanentFailure(Object.assign(new Error('greylisted'), { code: 'EENVELOPE', responseCode: 451 })));
    assert.ok(!isPermanentFailure(Object.assign(new Error('auth'), { code: 'EAUTH', responseCode: 535 })));
    assert.ok(!isPermanentFailure(Object.assign(new Error('down'), { code: 'ESOCKET' })));
    assert.ok(!isPermanentFailure('nope'));
  });
});
