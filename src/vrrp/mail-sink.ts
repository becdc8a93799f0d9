// The AlertSink haldir-vrrp uses in production: the shared non-blocking mailer
// (src/alerts/mailer.ts) with vrrp.cf's [global] relay and sender. enqueue() returns at
// once; delivery, retries and timeouts happen in the mailer's background worker, so a
// dead SMTP relay never delays an advert (keepalived's smtp_alert blocks a thread).

import { Mailer } from '../alerts/mailer.js';
import { nodemailerOptionsFrom } from '../alerts/alerting.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { VrrpGlobal } from '../vrrp-config/model.js';
import type { AlertSink } from './alert.js';

export interface MailAlertSink extends AlertSink {
  /** Reload: later alerts use the new relay, sender and credentials. */
  setGlobal(g: VrrpGlobal): void;
  /** Gives queued mail up to deadlineMs to go out. */
  stop(deadlineMs: number): Promise<void>;
}

export function mailerAlertSink(global: VrrpGlobal, deps: { clock: Clock; log: Logger; hostname?: string }): MailAlertSink {
  let g = global;
  const mailer = new Mailer({ clock: deps.clock, logger: deps.log, hostname: deps.hostname, nodemailer: nodemailerOptionsFrom(g) });
  return {
    send(alert) {
      if (!alert.to.length) return;
      mailer.enqueue({ to: alert.to, from: g.emailalertfrom, subject: alert.subject, body: alert.body, smtp: g.smtp });
    },
    setGlobal(next) {
      g = next;
    },
    async stop(deadlineMs) {
      await mailer.stop(deadlineMs);
    },
  };
}
