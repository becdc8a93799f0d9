// The side-effecting end of the mailer: one nodemailer transport per destination.
// smtp = host[:port] -> SMTP (ldirectord's Net::SMTP path, ld_emailalert_net_smtp);
// no smtp -> the local sendmail (ldirectord's Mail::Send path, ld_emailalert_mail_send).
// haldir extensions: AUTH (smtpuser/smtppasswd) and TLS (smtptls = starttls | tls).

import type { ConnectionOptions } from 'node:tls';
import { createTransport } from 'nodemailer';
import type { SmtpServer, SmtpTls } from '../config/model.js';

/** One mail as it goes on the wire. */
export interface OutgoingMail {
  /** Envelope sender (MAIL FROM / sendmail -f). */
  readonly envelopeFrom: string;
  /** From: header. */
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly body: string;
}

/** Delivers one mail or rejects with an Error (see isPermanentFailure). */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export type TransportFactory = (smtp: SmtpServer | undefined) => MailTransport;

export interface NodemailerOptions {
  readonly smtptls?: SmtpTls;
  readonly smtpuser?: string | undefined;
  readonly smtppasswd?: string | undefined;
  /** TCP connect timeout (ms). */
  readonly connectionTimeoutMs?: number;
  /** Wait for the greeting and for each reply (ms). */
  readonly socketTimeoutMs?: number;
  /** Extra TLS options, e.g. { ca } for a private CA (NODE_EXTRA_CA_CERTS also works). */
  readonly tlsOptions?: ConnectionOptions;
  /** Local sendmail binary (ldirectord's Mail::Mailer finds /usr/sbin/sendmail on Debian). */
  readonly sendmailPath?: string;
  /** Our name in EHLO; nodemailer's default is the host name. */
  readonly clientName?: string;
}

/** Builds nodemailer transports for the given settings. */
export function nodemailerTransports(opts: NodemailerOptions = {}): TransportFactory {
  return (smtp) => {
    const transporter = smtp
      ? createTransport({
          host: smtp.host,
          port: smtp.port,
          // tls: TLS from the first byte (SMTPS, usually port 465); starttls: plain
          // connect then STARTTLS, refusing to go on without it; none: plain SMTP as
          // ldirectord's Net::SMTP, not even opportunistic STARTTLS (a relay's
          // self-signed certificate must not silently stop the alerts).
          secure: opts.smtptls === 'tls',
          requireTLS: opts.smtptls === 'starttls',
          ignoreTLS: (opts.smtptls ?? 'none') === 'none',
          auth: opts.smtpuser !== undefined ? { user: opts.smtpuser, pass: opts.smtppasswd ?? '' } : undefined,
          connectionTimeout: opts.connectionTimeoutMs ?? 10_000,
          greetingTimeout: opts.socketTimeoutMs ?? 10_000,
          socketTimeout: opts.socketTimeoutMs ?? 10_000,
          dnsTimeout: opts.connectionTimeoutMs ?? 10_000,
          tls: opts.tlsOptions,
          name: opts.clientName,
        })
      : createTransport({ sendmail: true, path: opts.sendmailPath ?? '/usr/sbin/sendmail', newline: 'unix' });
    return {
      async send(mail) {
        await transporter.sendMail({
          envelope: { from: mail.envelopeFrom, to: [...mail.to] },
          from: mail.from,
          to: mail.to.join(', '),
          subject: mail.subject,
          text: mail.body,
          headers: { 'X-Mailer': 'haldir' },
        });
      },
      close() {
        transporter.close();
      },
    };
  };
}

/**
 * Whether retrying cannot help: the server refused this message itself (5xx to MAIL
 * FROM, RCPT TO or DATA). Connection, TLS and authentication failures and 4xx replies are
 * retried: the server may come back, or the operator may fix the password and reload.
 */
export function isPermanentFailure(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; responseCode?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const reply = typeof e.responseCode === 'number' ? e.responseCode : 0;
  return (code === 'EENVELOPE' || code === 'EMESSAGE') && reply >= 500 && reply < 600;
}

/** A short description of a delivery failure for the log. */
export function describeFailure(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
