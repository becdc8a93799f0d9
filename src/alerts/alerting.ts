// Wiring for the daemons: one Mailer and one AlertPolicy built from a Config, kept in
// step on reload. haldir feeds real-server changes to `policy`; haldir-vrrp and the
// reload path hand ready messages (generic.ts) to `send`.

import type { ConnectionOptions } from 'node:tls';
import { hostname as osHostname } from 'node:os';
import type { Config, GlobalConfig, VirtualService } from '../config/model.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { Mailer, type StopResult } from './mailer.js';
import type { AlertMessage } from './message.js';
import { AlertPolicy } from './policy.js';
import { nodemailerTransports, type NodemailerOptions, type TransportFactory } from './transport.js';

export interface AlertingOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly hostname?: string;
  /** > 0 batches alerts to the same recipients within this many ms (default 0: one mail per alert, as ldirectord). */
  readonly batchWindowMs?: number;
  readonly maxQueue?: number;
  readonly sendmailPath?: string;
  /** Extra TLS options for the relay (a private CA); NODE_EXTRA_CA_CERTS also works. */
  readonly tlsOptions?: ConnectionOptions;
  /** Replaces nodemailer (tests). */
  readonly transports?: (opts: NodemailerOptions) => TransportFactory;
}

/** The nodemailer settings the global section asks for (haldir's smtpuser/smtppasswd/smtptls). */
export function nodemailerOptionsFrom(
  g: Pick<GlobalConfig, 'smtpuser' | 'smtppasswd' | 'smtptls'>,
  extra: Pick<AlertingOptions, 'sendmailPath' | 'tlsOptions'> = {},
): NodemailerOptions {
  return { smtptls: g.smtptls, smtpuser: g.smtpuser, smtppasswd: g.smtppasswd, sendmailPath: extra.sendmailPath, tlsOptions: extra.tlsOptions };
}

/**
 * A table change as the pool planner reports it (src/pool PoolEvent, structurally):
 * `alert` is the subject ldirectord mails, undefined when it mails nothing.
 */
export interface TableChange {
  readonly kind: string;
  readonly virtualId: string;
  readonly server: string | undefined;
  readonly alert: string | undefined;
}

/**
 * The changes that arm repeats: ldirectord passes the current time to
 * ld_emailalert_send only from _remove_service for a real (quiescent, readd-quiescent,
 * deleted); everything else passes 0 (L4052-L4132, L4404).
 */
const REAL_DOWN_KINDS: ReadonlySet<string> = new Set(['quiescent', 'readd-quiescent', 'deleted']);

export class Alerting {
  readonly mailer: Mailer;
  readonly policy: AlertPolicy;
  private readonly opts: AlertingOptions;
  private credentials: string;

  constructor(config: Pick<Config, 'global'>, opts: AlertingOptions) {
    this.opts = opts;
    const hostname = opts.hostname ?? osHostname();
    this.credentials = credentialsKey(config.global);
    this.mailer = new Mailer({
      clock: opts.clock,
      logger: opts.logger,
      hostname,
      transports: this.transportsFor(config.global),
      batchWindowMs: opts.batchWindowMs,
      maxQueue: opts.maxQueue,
    });
    this.policy = new AlertPolicy({
      clock: opts.clock,
      logger: opts.logger,
      hostname,
      global: config.global,
      send: (m) => this.mailer.enqueue(m),
    });
  }

  /** Mails (and re-arms or clears repeats for) a round of table changes. */
  tableChanged(changes: readonly TableChange[], virtuals: readonly VirtualService[]): void {
    const byId = new Map(virtuals.map((v) => [v.id, v]));
    for (const c of changes) {
      const virtual = byId.get(c.virtualId);
      if (c.alert === undefined || c.server === undefined || !virtual) continue;
      this.policy.realServerChanged({ message: c.alert, virtual, real: c.server, down: REAL_DOWN_KINDS.has(c.kind) });
    }
  }

  /** A ready message (VRRP transition, rejected reload, split brain). */
  send(message: AlertMessage): void {
    this.mailer.enqueue(message);
  }

  /** After a successful reload: repeats follow the new config; new SMTP credentials apply at once. */
  reconfigure(config: Pick<Config, 'global' | 'virtuals'>): void {
    this.policy.reconfigure(config);
    const key = credentialsKey(config.global);
    if (key !== this.credentials) {
      this.credentials = key;
      this.mailer.setTransports(this.transportsFor(config.global));
    }
  }

  /** Stops the repeats and flushes the queue for at most `deadlineMs`. */
  stop(deadlineMs: number): Promise<StopResult> {
    this.policy.stop();
    return this.mailer.stop(deadlineMs);
  }

  private transportsFor(g: GlobalConfig): TransportFactory {
    const nm = nodemailerOptionsFrom(g, this.opts);
    return (this.opts.transports ?? nodemailerTransports)(nm);
  }
}

/** What identifies the transport settings: a change means new transports (reload). */
export function credentialsKey(g: Pick<GlobalConfig, 'smtpuser' | 'smtppasswd' | 'smtptls'>): string {
  return JSON.stringify([g.smtpuser ?? null, g.smtppasswd ?? null, g.smtptls]);
}
