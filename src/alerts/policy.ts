// ldirectord's e-mail alert policy: which real-server changes are mailed, to whom, with
// which subject and body, and the emailalertfreq repeats while a real stays down.
// Mirrors ld_emailalert_send (L4549), _ld_virtual_server_details (L4610),
// ld_emailalert_net_smtp (L4633) / ld_emailalert_mail_send (L4678) for the text, and
// ld_emailalert_resend (L4707) for the repeats. The decisions are pure functions; the
// AlertPolicy class only keeps the repeat bookkeeping (%EMAILSTATUS) and its timers.

import { hostname as osHostname } from 'node:os';
import type { Config, DaemonStatus, GlobalConfig, RealServer, VirtualService } from '../config/model.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { AlertMessage } from './message.js';

/** What of a virtual the alert text and routing depend on. */
export type AlertVirtual = Pick<
  VirtualService,
  | 'id'
  | 'protocol'
  | 'family'
  | 'address'
  | 'port'
  | 'fwmark'
  | 'emailalert'
  | 'emailalertfreq'
  | 'emailalertstatus'
  | 'smtp'
  | 'servicename'
  | 'comment'
>;

/** What of the global section the alerts fall back to. */
export type AlertGlobal = Pick<GlobalConfig, 'emailalert' | 'emailalertfrom' | 'smtp'>;

/** ldirectord's get_virtual (L4976): the fwmark, else `ip:port` (IPv6 in brackets). */
export function virtualServiceStr(v: Pick<VirtualService, 'protocol' | 'address' | 'port' | 'fwmark'>): string {
  if (v.protocol === 'fwm') return String(v.fwmark ?? 0);
  return `${hostPart(v.address ?? '')}:${v.port}`;
}

/** The rservice string ldirectord logs for a real: `ip:port` (IPv6 in brackets). */
export function realServiceStr(r: Pick<RealServer, 'address' | 'port'>): string {
  return `${hostPart(r.address)}:${r.port}`;
}

function hostPart(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** ldirectord's %EMAILSTATUS key: `RSERVICE (VIRTUAL)`; also the text of the repeat subject. */
export function repeatId(v: Pick<VirtualService, 'protocol' | 'address' | 'port' | 'fwmark'>, real: string): string {
  return `${real} (${virtualServiceStr(v)})`;
}

/** The subject of an emailalertfreq repeat (ld_emailalert_resend). */
export function inaccessibleSubject(id: string): string {
  return `Inaccessible real server: ${id}`;
}

/**
 * Whether a logged change means the real is now down, which arms the repeats.
 * ldirectord passes the current time (arm) only from _remove_service for a *real*
 * ("Quiescent real server: ..." and "Deleted real server: ..."); Added, Restored,
 * fallback changes and purges pass 0, which clears the entry (L4052-L4132, L4404).
 */
export function marksRealDown(message: string): boolean {
  return /^(Quiescent|Deleted) real server: /.test(message);
}

/** _ld_virtual_server_details (L4610): the extra body lines, or '' when none are set. */
export function virtualServerDetails(v: Pick<VirtualService, 'servicename' | 'comment'>): string {
  let details = '';
  if (v.servicename) details += `Service name: ${v.servicename}\n`;
  if (v.comment) details += `Comment: ${v.comment}\n`;
  return details;
}

/** The subject as mailed: the log message, `[servicename] `-prefixed when set. */
export function alertSubject(message: string, v: Pick<VirtualService, 'servicename'>): string {
  return v.servicename ? `[${v.servicename}] ${message}` : message;
}

/**
 * The body, byte for byte as ldirectord writes it (ld_emailalert_net_smtp): three
 * lines, then `"\n$extrabody\n"` when service name or comment are set.
 */
export function alertBody(subject: string, status: DaemonStatus, host: string, details: string): string {
  let body = `ldirectord host: ${host}\nLog-Message: ${subject}\nDaemon-Status: ${status}\n`;
  if (details) body += `\n${details}\n`;
  return body;
}

export interface AlertContext {
  readonly status: DaemonStatus;
  readonly hostname: string;
  readonly global: AlertGlobal;
}

/** Recipients: the virtual's emailalert, else the global one (ld_emailalert_send). */
export function alertRecipients(v: Pick<VirtualService, 'emailalert'>, global: AlertGlobal): readonly string[] {
  return v.emailalert.length > 0 ? v.emailalert : global.emailalert;
}

/**
 * Decides the mail for one logged change of a real on virtual `v`, or undefined when
 * ldirectord would send none: the daemon status is not in emailalertstatus, or there
 * is no recipient.
 */
export function decideAlert(message: string, v: AlertVirtual, ctx: AlertContext): AlertMessage | undefined {
  if (!v.emailalertstatus.includes(ctx.status)) return undefined;
  const to = alertRecipients(v, ctx.global);
  if (to.length === 0) return undefined;
  const subject = alertSubject(message, v);
  return {
    to,
    from: ctx.global.emailalertfrom,
    subject,
    body: alertBody(subject, ctx.status, ctx.hostname, virtualServerDetails(v)),
    smtp: v.smtp ?? ctx.global.smtp,
  };
}

/** A change to one real server of one virtual, as the table manager logged it. */
export interface RealServerChange {
  /** The exact log line, e.g. `Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)`. */
  readonly message: string;
  readonly virtual: AlertVirtual;
  /** The rservice as logged: `10.0.0.2:80`, `[2001:db8::2]:80`. */
  readonly real: string;
  /** Whether the real is now down (arms repeats); default: derived with marksRealDown(). */
  readonly down?: boolean;
}

export interface AlertPolicyOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where decided mails go; the mailer's enqueue(), which never blocks. */
  readonly send: (message: AlertMessage) => void;
  readonly global: AlertGlobal;
  readonly hostname?: string;
  readonly status?: DaemonStatus;
}

interface RepeatEntry {
  virtual: AlertVirtual;
  readonly real: string;
  alertTime: number;
  timer: TimerHandle | undefined;
}

/**
 * Keeps ldirectord's %EMAILSTATUS: one entry per real that went down on a virtual with
 * emailalertfreq > 0, re-sent as "Inaccessible real server: ..." every emailalertfreq
 * seconds (by Clock timers instead of ldirectord's once-per-checkinterval scan) until the
 * real is added/restored or leaves the config.
 */
export class AlertPolicy {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly send: (message: AlertMessage) => void;
  private readonly hostname: string;
  private global: AlertGlobal;
  private status: DaemonStatus;
  private readonly repeats = new Map<string, RepeatEntry>();

  constructor(opts: AlertPolicyOptions) {
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.send = opts.send;
    this.global = opts.global;
    this.hostname = opts.hostname ?? osHostname();
    this.status = opts.status ?? 'starting';
  }

  /** ldirectord's $DAEMON_STATUS; read when each mail (and each repeat) is decided. */
  setDaemonStatus(status: DaemonStatus): void {
    this.status = status;
  }

  get daemonStatus(): DaemonStatus {
    return this.status;
  }

  /** Ids (`RSERVICE (VIRTUAL)`) of the reals currently being re-alerted. */
  repeating(): string[] {
    return [...this.repeats.keys()];
  }

  /** ld_emailalert_send for one logged change. */
  realServerChanged(change: RealServerChange): void {
    const down = change.down ?? marksRealDown(change.message);
    this.emailalertSend(change.message, change.virtual, change.real, down);
  }

  /**
   * After a (re)load: repeats of reals or virtuals the new config no longer has stop;
   * the others take the virtual's new settings (recipients, frequency, status filter).
   */
  reconfigure(config: Pick<Config, 'global' | 'virtuals'>): void {
    this.global = config.global;
    const byId = new Map(config.virtuals.map((v) => [v.id, v]));
    for (const [id, entry] of this.repeats) {
      const v = byId.get(entry.virtual.id);
      // A gate/ipip real may have been mapped onto the virtual's port by ipvsadm and
      // logged that way ("... mapped from RIP:RPORT"), so either spelling still counts.
      const stillThere =
        v?.reals.some((r) => realServiceStr(r) === entry.real || realServiceStr({ address: r.address, port: v.port }) === entry.real) ??
        false;
      if (!v || !stillThere || v.emailalertfreq <= 0) {
        this.drop(id);
        continue;
      }
      const freqChanged = v.emailalertfreq !== entry.virtual.emailalertfreq;
      entry.virtual = v;
      if (freqChanged) this.schedule(id, entry);
    }
  }

  /** Stops every repeat timer (daemon shutdown). */
  stop(): void {
    for (const id of [...this.repeats.keys()]) this.drop(id);
  }

  private emailalertSend(message: string, v: AlertVirtual, real: string, down: boolean): void {
    const id = repeatId(v, real);
    // The bookkeeping comes first and is independent of the filters below, as in
    // ld_emailalert_send: a real that went down while mails were filtered out is still
    // re-alerted once the daemon status allows it.
    if (!down || v.emailalertfreq <= 0) {
      this.drop(id);
    } else {
      const prev = this.repeats.get(id);
      const entry: RepeatEntry = { virtual: v, real, alertTime: this.clock.now(), timer: prev?.timer };
      this.repeats.set(id, entry);
      this.schedule(id, entry);
    }
    const mail = decideAlert(message, v, { status: this.status, hostname: this.hostname, global: this.global });
    if (!mail) return;
    this.logger.info(`emailalert: ${message}`);
    this.send(mail);
  }

  private schedule(id: string, entry: RepeatEntry): void {
    if (entry.timer) this.clock.clearTimeout(entry.timer);
    const due = entry.alertTime + entry.virtual.emailalertfreq * 1000 - this.clock.now();
    entry.timer = this.clock.setTimeout(() => {
      entry.timer = undefined;
      if (this.repeats.get(id) !== entry) return;
      this.emailalertSend(inaccessibleSubject(id), entry.virtual, entry.real, true);
    }, due);
  }

  private drop(id: string): void {
    const entry = this.repeats.get(id);
    if (!entry) return;
    if (entry.timer) this.clock.clearTimeout(entry.timer);
    this.repeats.delete(id);
  }
}
