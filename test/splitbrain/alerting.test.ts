// haldir-vrrp's one alerting path (src/vrrp/mail-sink.ts) against real SMTP servers
// (smtp-server, STARTTLS + AUTH): a reload that moves the relay and changes the
// credentials applies them to the next mail, for transition and split-brain alerts alike.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitBrainAlert } from '../../src/alerts/generic.js';
import { transitionAlert } from '../../src/vrrp/alert.js';
import { VrrpAlerting } from '../../src/vrrp/mail-sink.js';
import { parseVrrpConfig } from '../../src/vrrp-config/parse.js';
import type { VrrpGlobal } from '../../src/vrrp-config/model.js';
import { systemClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';
import { selfSignedCert, startSmtp } from '../alerts/helpers/smtp.js';

function globalFor(port: number, user: string, pass: string, from: string): VrrpGlobal {
  const cf = `[global]\nrouter_id = lb7\nemailalert = ops@example.org\nemailalertfrom = ${from}\nsmtp = 127.0.0.1:${port}\nsmtpuser = ${user}\nsmtppasswd = ${pass}\nsmtptls = starttls\n\n[vrrp_instance VI_1]\ninterface = eth0\nvirtual_router_id = 51\nvirtual_ipaddress[] = 10.0.0.100/24\n`;
  const r = parseVrrpConfig(cf, 'vrrp.cf', { hostname: 'h' });
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  return r.config.global;
}

test('reload: the next transition and split-brain mails use the new relay, sender and SMTP credentials', { timeout: 30_000 }, async () => {
  const cert = selfSignedCert();
  const before = await startSmtp({ tls: cert, auth: { user: 'alerts', pass: 'old-pass' } });
  const after = await startSmtp({ tls: cert, auth: { user: 'alerts2', pass: 'new-pass' } });
  const log = new MemoryLogger();
  const g1 = globalFor(before.port, 'alerts', 'old-pass', 'vrrp@old.example.org');
  const alerting = new VrrpAlerting(g1, { clock: systemClock(), log, hostname: 'lb7', tlsOptions: { ca: cert.cert } });
  try {
    alerting.send(transitionAlert('lb7', 'VI_1', 'MASTER', ['ops@example.org'], Date.now()));
    const [first] = await before.waitFor(1);
    assert.equal(first!.user, 'alerts');
    assert.equal(first!.secure, true);

    // The reload moves the relay and changes user, password and sender.
    const g2 = globalFor(after.port, 'alerts2', 'new-pass', 'vrrp@new.example.org');
    alerting.reconfigure(g2);
    alerting.send(transitionAlert('lb7', 'VI_1', 'BACKUP', ['ops@example.org'], Date.now()));
    alerting.sendMessage(splitBrainAlert('lb7', 'VI_1', 'suspected', '(VI_1) split brain detected: x', { to: g2.emailalert, from: g2.emailalertfrom, smtp: g2.smtp }));
    const mails = await after.waitFor(2);
    assert.deepEqual(mails.map((m) => m.subject).sort(), ['[lb7] VRRP Instance VI_1 - Entering BACKUP state', '[lb7] VRRP Instance VI_1 - Split brain suspected']);
    assert.ok(mails.every((m) => m.user === 'alerts2' && m.secure), `authenticated with the new credentials: ${JSON.stringify(mails.map((m) => m.user))}`);
    assert.ok(mails.every((m) => m.fromHeader.includes('vrrp@new.example.org')));
    assert.equal(after.authFailures(), 0, 'the old password was never tried on the new relay');
    assert.equal(before.mails.length, 1, 'nothing more went to the old relay');
  } finally {
    await alerting.stop(500);
    await before.close();
    await after.close();
  }
});
