// Delivers AlertMessages without ever making the caller wait. ldirectord sent its mail
// inline (ld_emailalert_net_smtp), so a dead or slow relay stalled every health check
// for Net::SMTP's timeout; here enqueue() returns at once and a background worker per
// destination delivers in order, with timeouts, exponential backoff on an injected Clock,
// a bounded queue, optional batching, and a flush with a deadline at stop.

import { hostname as osHostname } from 'node:os';
import type { SmtpServer } from '../config/model.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { batchKey, combineAlerts } from './batch.js';
import type { AlertMessage } from './message.js';
import { defaultSender, routeKey, routeLabel } from './message.js';
import type { MailTransport, NodemailerOptions, TransportFactory } from './transport.js';
import { describeFailure, isPermanentFailure, nodemailerTransports } from './transport.js';

export { smtpCleartextAuthWarning } from './config-warnings.js';

export interface MailerOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Settings for the default nodemailer transports (ignored when `transports` is given). */
  readonly nodemailer?: NodemailerOptions;
  /** Replaces nodemailer (tests of the queue logic). */
  readonly transports?: TransportFactory;
  /** Host name used in batch subjects and the default sender. */
  readonly hostname?: string;
  /** Envelope sender; default `user@host` as ldirectord. */
  readonly envelopeFrom?: string;
  /** Most messages waiting per destination; the oldest is dropped (and logged) beyond it. */
  readonly maxQueue?: number;
  /** First retry delay; doubled after each failure up to retryMaxMs. */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** Upper bound on one delivery attempt, whatever the transport does. */
  readonly attemptTimeoutMs?: number;
  /** > 0: alerts to the same recipients within this window go out as one mail. */
  readonly batchWindowMs?: number;
}

export interface MailerStats {
  readonly queued: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly failedAttempts: number;
}

export interface StopResult {
  readonly delivered: number;
  /** Messages still queued when the deadline passed (each logged with its subject). */
  readonly undelivered: number;
}

interface Destination {
  readonly smtp: SmtpServer | undefined;
  readonly label: string;
  readonly items: AlertMessage[];
  transport: MailTransport;
  inFlight: boolean;
  retryTimer: TimerHandle | undefined;
  /** Consecutive failed attempts for the head of the queue. */
  failures: number;
}

interface PendingBatch {
  readonly messages: AlertMessage[];
  readonly timer: TimerHandle;
}

const DEFAULTS = {
  maxQueue: 1000,
  retryInitialMs: 1000,
  retryMaxMs: 5 * 60_000,
  attemptTimeoutMs: 30_000,
  batchWindowMs: 0,
};

/** Exponential backoff: initial * 2^(failures-1), capped. */
export function retryDelay(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
}

export class Mailer {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private transports: TransportFactory;
  private readonly hostname: string;
  private readonly envelopeFrom: string;
  private readonly maxQueue: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly batchWindowMs: number;
  private readonly destinations = new Map<string, Destination>();
  private readonly batches = new Map<string, PendingBatch>();
  private readonly idleWaiters: (() => void)[] = [];
  private delivered = 0;
  private dropped = 0;
  private failedAttempts = 0;
  private stopping = false;
  private stopped = false;

  constructor(opts: MailerOptions) {
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.transports = opts.transports ?? nodemailerTransports(opts.nodemailer);
    this.hostname = opts.hostname ?? osHostname();
    this.envelopeFrom = opts.envelopeFrom ?? defaultSender(this.hostname);
    this.maxQueue = Math.max(1, opts.maxQueue ?? DEFAULTS.maxQueue);
    this.retryInitialMs = opts.retryInitialMs ?? DEFAULTS.retryInitialMs;
    this.retryMaxMs = opts.retryMaxMs ?? DEFAULTS.retryMaxMs;
    this.attemptTimeoutMs = opts.attemptTimeoutMs ?? DEFAULTS.attemptTimeoutMs;
    this.batchWindowMs = opts.batchWindowMs ?? DEFAULTS.batchWindowMs;
  }

  /** Queues a message and returns at once; never throws, never waits on the network. */
  enqueue(message: AlertMessage): void {
    if (this.stopped) {
      this.logger.warn(`emailalert: mailer stopped, not sending alert "${message.subject}"`);
      this.dropped++;
      return;
    }
    if (message.to.length === 0) return;
    if (this.batchWindowMs > 0 && !this.stopping) {
      this.addToBatch(message);
      return;
    }
    this.push(message);
  }

  /**
   * New transport settings (a reload changed smtpuser/smtppasswd/smtptls): queued mail
   * stays queued, keeps its order, and the next attempt uses the new settings at once.
   */
  setTransports(factory: TransportFactory): void {
    this.transports = factory;
    for (const d of this.destinations.values()) {
      const old = d.transport;
      d.transport = factory(d.smtp);
      old.close();
      d.failures = 0;
      this.retryNow(d);
    }
  }

  stats(): MailerStats {
    let queued = 0;
    for (const d of this.destinations.values()) queued += d.items.length;
    for (const b of this.batches.values()) queued += b.messages.length;
    return { queued, delivered: this.delivered, dropped: this.dropped, failedAttempts: this.failedAttempts };
  }

  /** Resolves when nothing is queued or batched (tests, and stop()). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Flushes what is queued, retrying until `deadlineMs` from now; whatever is still
   * queued then is logged by subject and given up. Further enqueue() calls are refused.
   */
  async stop(deadlineMs: number): Promise<StopResult> {
    const before = this.delivered;
    this.stopping = true;
    for (const key of [...this.batches.keys()]) this.flushBatch(key);
    for (const d of this.destinations.values()) this.retryNow(d);
    let deadline: TimerHandle | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((resolve) => {
        deadline = this.clock.setTimeout(resolve, deadlineMs);
      }),
    ]);
    if (deadline) this.clock.clearTimeout(deadline);
    this.stopped = true;
    let undelivered = 0;
    for (const d of this.destinations.values()) {
      if (d.retryTimer) this.clock.clearTimeout(d.retryTimer);
      for (const m of d.items) {
        this.logger.error(`emailalert: not delivered before shutdown (${d.label} unreachable): "${m.subject}"`);
        undelivered++;
      }
      d.items.length = 0;
      d.transport.close();
    }
    this.dropped += undelivered;
    this.notifyIdle();
    return { delivered: this.delivered - before, undelivered };
  }

  private addToBatch(message: AlertMessage): void {
    const key = batchKey(message);
    const open = this.batches.get(key);
    if (open) {
      open.messages.push(message);
      return;
    }
    const timer = this.clock.setTimeout(() => this.flushBatch(key), this.batchWindowMs);
    this.batches.set(key, { messages: [message], timer });
  }

  private flushBatch(key: string): void {
    const batch = this.batches.get(key);
    if (!batch) return;
    this.clock.clearTimeout(batch.timer);
    this.batches.delete(key);
    this.push(combineAlerts(batch.messages, this.hostname));
  }

  private push(message: AlertMessage): void {
    const d = this.destination(message);
    d.items.push(message);
    if (d.items.length > this.maxQueue) {
      // Drop the oldest waiting message (never the one on the wire): after a long outage
      // the newest alerts describe the pool as it is now.
      const victim = d.items.splice(d.inFlight ? 1 : 0, 1)[0];
      this.dropped++;
      if (victim) {
        this.logger.error(
          `emailalert: queue for ${d.label} full (${this.maxQueue} messages), dropped alert "${victim.subject}"`,
        );
      }
    }
    this.pump(d);
  }

  private destination(message: AlertMessage): Destination {
    const key = routeKey(message.smtp);
    let d = this.destinations.get(key);
    if (!d) {
      d = {
        smtp: message.smtp,
        label: routeLabel(message.smtp),
        items: [],
        transport: this.transports(message.smtp),
        inFlight: false,
        retryTimer: undefined,
        failures: 0,
      };
      this.destinations.set(key, d);
    }
    return d;
  }

  /** Cuts a backoff wait short (stop, new settings). */
  private retryNow(d: Destination): void {
    if (d.retryTimer) {
      this.clock.clearTimeout(d.retryTimer);
      d.retryTimer = undefined;
    }
    this.pump(d);
  }

  /** Starts one delivery attempt for the head of `d` unless one is running or waiting. */
  private pump(d: Destination): void {
    if (d.inFlight || d.retryTimer || this.stopped) return;
    const head = d.items[0];
    if (!head) {
      this.notifyIdle();
      return;
    }
    d.inFlight = true;
    void this.attempt(d, head).finally(() => {
      d.inFlight = false;
      this.pump(d);
    });
  }

  private async attempt(d: Destination, m: AlertMessage): Promise<void> {
    try {
      await this.withTimeout(
        d.transport.send({
          envelopeFrom: this.envelopeFrom,
          from: m.from ?? this.envelopeFrom,
          to: m.to,
          subject: m.subject,
          body: m.body,
        }),
      );
      this.remove(d, m);
      this.delivered++;
      if (d.failures > 0) {
        this.logger.info(
          `emailalert: ${d.label} reachable again after ${d.failures} failed attempt${d.failures === 1 ? '' : 's'}; ${d.items.length} alert${d.items.length === 1 ? '' : 's'} still queued`,
        );
      }
      d.failures = 0;
    } catch (err) {
      this.failedAttempts++;
      if (isPermanentFailure(err)) {
        this.remove(d, m);
        this.dropped++;
        d.failures = 0;
        this.logger.error(`emailalert: ${d.label} refused alert "${m.subject}" (${describeFailure(err)}); not retrying`);
        return;
      }
      d.failures++;
      // An attempt that outlived stop(): its message was already reported undelivered.
      if (this.stopped) return;
      let delay = retryDelay(d.failures, this.retryInitialMs, this.retryMaxMs);
      if (this.stopping) delay = Math.min(delay, this.retryInitialMs);
      // ldirectord's texts ("failed to send SMTP email message" / "failed to send email
      // message"), then what failed and what happens next.
      const what = m.smtp ? 'failed to send SMTP email message' : 'failed to send email message';
      this.logger.error(
        `${what}: ${describeFailure(err)} (alert "${m.subject}" to ${m.to.join(', ')} via ${d.label}; ${d.items.length} queued; attempt ${d.failures}, retrying in ${formatDelay(delay)})`,
      );
      d.retryTimer = this.clock.setTimeout(() => {
        d.retryTimer = undefined;
        this.pump(d);
      }, delay);
    }
  }

  private remove(d: Destination, m: AlertMessage): void {
    // By identity: an overflow may have dropped messages around it meanwhile.
    const i = d.items.indexOf(m);
    if (i >= 0) d.items.splice(i, 1);
  }

  private withTimeout(p: Promise<void>): Promise<void> {
    let timer: TimerHandle | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(() => {
        const e = new Error(`no answer within ${formatDelay(this.attemptTimeoutMs)}`) as Error & { code: string };
        e.code = 'ETIMEDOUT';
        reject(e);
      }, this.attemptTimeoutMs);
    });
    return Promise.race([p, timeout]).finally(() => {
      if (timer) this.clock.clearTimeout(timer);
    });
  }

  private isIdle(): boolean {
    if (this.batches.size > 0) return false;
    for (const d of this.destinations.values()) if (d.items.length > 0) return false;
    return true;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}

function formatDelay(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${ms}ms`;
}
