// Syslog sink: `logfile = local0` (any value without a leading '/') logs to syslog with
// that facility, as ldirectord's openlog("ldirectord", "pid", FACILITY) + syslog("info")
// (ld_openlog L4469, ld_log L4499). Lines reach the local syslog socket (/dev/log) as
// RFC 3164 local datagrams, `<PRI>Mmm dd hh:mm:ss haldir[PID]: msg`.
//
// Route: Node has no AF_UNIX datagram sockets in core, and /dev/log is a datagram socket
// (journald, rsyslog). Rather than a native addon (unix-dgram) we pipe the lines to
// util-linux `logger -u SOCKET --prio-prefix` (package bsdutils, Essential on Debian, so
// always there): `<PRI>` on each line carries facility and severity, `-t`/`--id` give
// ldirectord's `ident[pid]` shape, and logger writes exactly the header glibc's syslog()
// would. One short-lived logger per burst of lines (never two at once, so order holds):
// each burst reconnects, so a restarted syslog daemon costs nothing, and a failed burst
// (socket missing, daemon wedged past the timeout) falls back to stderr, as ld_log does.

import { spawn } from 'node:child_process';
import type { Clock, TimerHandle } from './clock.js';
import { systemClock } from './clock.js';
import type { LogLevel } from './logger.js';

/** syslog(3) facility codes (RFC 3164 section 4.1.1). */
export const SYSLOG_FACILITIES: Readonly<Record<string, number>> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

/** RFC 3164 severities for our levels (ldirectord logged everything at info). */
const SEVERITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };

/** The facility code for a logfile value such as "local0" or "LOG_DAEMON", or undefined. */
export function parseFacility(value: string): number | undefined {
  const name = value.trim().toLowerCase().replace(/^log_/, '');
  return Object.hasOwn(SYSLOG_FACILITIES, name) ? SYSLOG_FACILITIES[name] : undefined;
}

/** PRI = facility * 8 + severity (RFC 3164 section 4.1.1). */
export function syslogPriority(facility: number, level: LogLevel): number {
  return facility * 8 + SEVERITY[level];
}

/** The lines piped to `logger --prio-prefix` for one message; one per line of it. */
export function syslogLines(facility: number, level: LogLevel, msg: string): string[] {
  const text = msg.endsWith('\n') ? msg.slice(0, -1) : msg;
  const pri = syslogPriority(facility, level);
  return text.split('\n').map((line) => `<${pri}>${line}\n`);
}

export interface SyslogWriterOptions {
  /** Facility name as in the config (`local0`, `daemon`). */
  readonly facility: string;
  /** ldirectord used "ldirectord"; haldir uses "haldir" / "haldir-vrrp". */
  readonly ident?: string;
  readonly pid?: number;
  /** The syslog socket; tests point it at their own receiver. */
  readonly socketPath?: string;
  readonly loggerPath?: string;
  /** Longest one burst may take before logger is killed and the lines go to stderr. */
  readonly timeoutMs?: number;
  /** Most bytes waiting for syslog; beyond it the oldest lines are dropped and counted. */
  readonly maxPendingBytes?: number;
  readonly clock?: Clock;
  /** Where lines go when syslog cannot take them. */
  readonly fallback?: (text: string) => void;
}

interface Pending {
  readonly wire: string;
  readonly text: string;
}

/** Hands log lines to syslog; wrapped as a Logger by SyslogLogSink (log-sinks.ts). */
export class SyslogWriter {
  private readonly facility: number;
  private readonly args: string[];
  private readonly loggerPath: string;
  private readonly timeoutMs: number;
  private readonly maxPendingBytes: number;
  private readonly clock: Clock;
  private readonly fallback: (text: string) => void;
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private droppedLines = 0;
  private scheduled = false;
  private running = false;
  private readonly waiters: (() => void)[] = [];

  constructor(opts: SyslogWriterOptions) {
    const facility = parseFacility(opts.facility);
    if (facility === undefined) throw new Error(`unknown syslog facility "${opts.facility}"`);
    this.facility = facility;
    const socketPath = opts.socketPath ?? '/dev/log';
    this.args = [
      '-u',
      socketPath,
      '--socket-errors=on',
      '--prio-prefix',
      '-t',
      opts.ident ?? 'haldir',
      `--id=${opts.pid ?? process.pid}`,
      '--size',
      '8192',
    ];
    this.loggerPath = opts.loggerPath ?? 'logger';
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxPendingBytes = opts.maxPendingBytes ?? 1 << 20;
    this.clock = opts.clock ?? systemClock({ unref: true });
    this.fallback = opts.fallback ?? ((text) => process.stderr.write(text));
  }

  reopen(): void {
    // Every burst opens the socket afresh; nothing is held open.
  }

  /** Resolves once every line logged so far has been handed to syslog (or to stderr). */
  flush(): Promise<void> {
    if (!this.running && !this.scheduled && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): Promise<void> {
    return this.flush();
  }

  /** Queues one message at `level`; returns at once. */
  write(level: LogLevel, msg: string): void {
    for (const wire of syslogLines(this.facility, level, msg)) {
      this.pending.push({ wire, text: wire.replace(/^<\d+>/, '') });
      this.pendingBytes += wire.length;
    }
    while (this.pendingBytes > this.maxPendingBytes && this.pending.length > 1) {
      const old = this.pending.shift()!;
      this.pendingBytes -= old.wire.length;
      this.droppedLines++;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // Coalesce everything logged in this turn of the event loop into one logger run.
    setImmediate(() => {
      this.scheduled = false;
      this.runBurst();
    });
  }

  private runBurst(): void {
    if (this.droppedLines > 0) {
      const n = this.droppedLines;
      this.droppedLines = 0;
      const [wire] = syslogLines(this.facility, 'warn', `syslog too slow: dropped ${n} log lines`);
      this.pending.unshift({ wire: wire!, text: wire!.replace(/^<\d+>/, '') });
    }
    const burst = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (burst.length === 0) {
      for (const w of this.waiters.splice(0)) w();
      return;
    }
    this.running = true;
    void this.deliver(burst).then((problem) => {
      if (problem) {
        this.fallback(`syslog via logger ${this.args[1]} failed (${problem}); these lines went to stderr:\n`);
        for (const p of burst) this.fallback(p.text);
      }
      this.running = false;
      if (this.pending.length > 0) this.schedule();
      else for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Runs one logger for `burst`; resolves to a problem description, or undefined. */
  private deliver(burst: readonly Pending[]): Promise<string | undefined> {
    return new Promise((resolve) => {
      let settled = false;
      let stderr = '';
      let timer: TimerHandle | undefined;
      const finish = (problem: string | undefined) => {
        if (settled) return;
        settled = true;
        if (timer) this.clock.clearTimeout(timer);
        resolve(problem);
      };
      const child = spawn(this.loggerPath, this.args, { stdio: ['pipe', 'ignore', 'pipe'] });
      timer = this.clock.setTimeout(() => {
        child.kill('SIGKILL');
        finish(`no progress within ${this.timeoutMs} ms`);
      }, this.timeoutMs);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        if (stderr.length < 2000) stderr += d;
      });
      child.on('error', (e) => finish(e.message));
      child.on('close', (code) => finish(code === 0 && stderr === '' ? undefined : stderr.trim() || `exit ${code}`));
      child.stdin.on('error', () => {
        // logger exited early (socket missing); 'close' reports why.
      });
      child.stdin.end(burst.map((p) => p.wire).join(''));
    });
  }
}
