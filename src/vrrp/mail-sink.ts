// haldir-vrrp's one alerting path: the shared non-blocking mailer (src/alerts/mailer.ts)
// with vrrp.cf's [global] relay, sender and credentials. Transition mails (smtp_alert)
// and split-brain mails both go through it, and a reload reconfigures it in place, as
// src/alerts/alerting.ts does for haldir: queued mail stays queued and the next attempt
// uses the new smtpuser/smtppasswd/smtptls. send() returns at once; delivery, retries
// and timeouts happen in the mailer's background worker, so a dead SMTP relay never
// delays an advert (keepalived's smtp_alert blocks a thread).

import type { ConnectionOptions } from 'node:tls';
import { Mailer } from '../alerts/mailer.js';
import { credentialsKey, nodemailerOptionsFrom } from '../alerts/alerting.js';
import type { AlertMessage } from '../alerts/message.js';
import { nodemailerTransports } from '../alerts/transport.js';
import type { TransportFactory } from '../alerts/transport.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { VrrpGlobal } from '../vrrp-config/model.js';
import type { Alert, AlertSink } from './alert.js';

export interface VrrpAlertingDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly hostname?: string;
  /** Extra TLS options for the relay (a private CA); NODE_EXTRA_CA_CERTS also works. */
  readonly tlsOptions?: ConnectionOptions;
}

export class VrrpAlerting implements AlertSink {
  private g: VrrpGlobal;
  private credentials: string;
  private readonly mailer: Mailer;

  constructor(global: VrrpGlobal, private readonly deps: VrrpAlertingDeps) {
    this.g = global;
    this.credentials = credentialsKey(global);
    this.mailer = new Mailer({ clock: deps.clock, logger: deps.log, hostname: deps.hostname, transports: this.transportsFor(global) });
  }

  /** A transition alert (smtp_alert): [global]'s sender and relay of the moment. */
  send(alert: Alert): void {
    if (!alert.to.length) return;
    this.mailer.enqueue({ to: alert.to, from: this.g.emailalertfrom, subject: alert.subject, body: alert.body, smtp: this.g.smtp });
  }

  /** A ready message (split brain, status listener down). */
  sendMessage(m: AlertMessage): void {
    this.mailer.enqueue(m);
  }

  /** Reload: later alerts use the new relay and sender, and new credentials apply at once. */
  reconfigure(next: VrrpGlobal): void {
    this.g = next;
    const key = credentialsKey(next);
    if (key === this.credentials) return;
    this.credentials = key;
    this.mailer.setTransports(this.transportsFor(next));
  }

  /** Gives queued mail up to deadlineMs to go out. */
  async stop(deadlineMs: number): Promise<void> {
    await this.mailer.stop(deadlineMs);
  }

  private transportsFor(g: VrrpGlobal): TransportFactory {
    return nodemailerTransports(nodemailerOptionsFrom(g, { tlsOptions: this.deps.tlsOptions }));
  }
}
