// Where log lines go, chosen as ldirectord chooses (ld_openlog L4469, ld_log L4499):
//  - foreground (-d)             -> stderr, the bare message (ld_log under $opt_d);
//  - supervised                  -> stdout: `[localtime] msg`, or under systemd's journal
//                                   the bare message with an sd-daemon `<N>` level prefix;
//  - logfile with a leading '/'  -> that file: `[localtime|CFGNAME|PID] msg`;
//  - any other logfile value     -> syslog with that facility (src/runtime/syslog.ts).
// ldirectord opened and closed the file for every line so logrotate could move it; we keep
// the file open and compare its inode with the path's before each write, which sees a
// rename-style rotation on the next line, and reopen() forces it (SIGUSR1, tests).
// ld_log printed whatever Perl managed to write, so on a full file system a partial line
// stayed in the file and the next one was glued to it, and the lost lines left no trace;
// here a line is written whole or not at all, and the first line that fits again says
// how many were dropped (and one warning goes to syslog when the dropping starts).

import { closeSync, fstatSync, ftruncateSync, openSync, statSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { LogLevel, Logger } from './logger.js';
import type { SyslogWriterOptions } from './syslog.js';
import { SyslogWriter, parseFacility } from './syslog.js';

/** A Logger that owns an output and can reopen and close it. */
export interface LogSink extends Logger {
  /** Reopens the output (after log rotation). */
  reopen(): void;
  /** Flushes and releases the output. */
  close(): Promise<void>;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Perl's scalar localtime(): `Sat Nov 21 05:05:09 2026`, day of month space-padded. */
export function perlLocaltime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`
  );
}

/** ld_log drops one trailing newline (chomp) and writes the rest as is. */
function chomp(msg: string): string {
  return msg.endsWith('\n') ? msg.slice(0, -1) : msg;
}

/** One line of ldirectord's log file: `[localtime|CFGNAME|PID] msg\n`. */
export function formatFileLine(wallMs: number, cfgName: string, pid: number, msg: string): string {
  return `[${perlLocaltime(wallMs)}|${cfgName}|${pid}] ${chomp(msg)}\n`;
}

/** sd-daemon(3) level prefixes the journal reads from a service's stdout. */
const SD_LEVEL: Record<LogLevel, string> = { debug: '<7>', info: '<6>', warn: '<4>', error: '<3>' };

/**
 * How a line looks on a stream: `supervised` `[localtime] msg` (ld_log with supervised),
 * `journal` `<N>msg` (systemd reads the level, adds the time), `bare` `msg` (ld_log -d).
 */
export type StreamStyle = 'supervised' | 'journal' | 'bare';

export function formatStreamLine(wallMs: number, level: LogLevel, msg: string, style: StreamStyle): string {
  if (style === 'journal') return `${SD_LEVEL[level]}${chomp(msg)}\n`;
  if (style === 'bare') return `${chomp(msg)}\n`;
  return `[${perlLocaltime(wallMs)}] ${chomp(msg)}\n`;
}

/**
 * Whether fd `stdoutStat` is the journal stream systemd gave us: JOURNAL_STREAM holds
 * "DEV:INODE" of it (systemd.exec(5)); a redirected stdout no longer matches.
 */
export function isJournalStream(
  journalStream: string | undefined,
  stdoutStat: { dev: number | bigint; ino: number | bigint } | undefined,
): boolean {
  if (!journalStream || !stdoutStat) return false;
  const [dev, ino] = journalStream.split(':');
  return dev === String(stdoutStat.dev) && ino === String(stdoutStat.ino);
}

interface LevelFilter {
  readonly debug?: boolean;
}

abstract class LineSink implements LogSink {
  constructor(private readonly filter: LevelFilter) {}
  debug(msg: string): void {
    if (this.filter.debug) this.write('debug', msg);
  }
  info(msg: string): void {
    this.write('info', msg);
  }
  warn(msg: string): void {
    this.write('warn', msg);
  }
  error(msg: string): void {
    this.write('error', msg);
  }
  abstract reopen(): void;
  abstract close(): Promise<void>;
  protected abstract write(level: LogLevel, msg: string): void;
}

export interface FileLogSinkOptions extends LevelFilter {
  readonly path: string;
  /** ldirectord's $CFGNAME: the config file's base name. */
  readonly cfgName: string;
  readonly pid?: number;
  readonly clock?: Clock;
  /** Where a line goes when the file cannot be written (ld_log prints to STDERR). */
  readonly fallback?: (line: string) => void;
  /**
   * Told once when lines start being dropped (full disk, file unwritable), so an
   * operator hears of it somewhere else than in the file that cannot take it. Default:
   * the fallback.
   */
  readonly warn?: (msg: string) => void;
}

/** Lines dropped since the file last took one, for the notice written once it can again. */
interface DropEpisode {
  count: number;
  readonly sinceMs: number;
  readonly reason: string;
}

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^\w+: /, '').replace(/, \w+.*$/, '')}` : String(err.message ?? e);
}

/** ldirectord's log file. */
export class FileLogSink extends LineSink {
  private fd: number | undefined;
  private ino: number | undefined;
  private readonly path: string;
  private readonly cfgName: string;
  private readonly pid: number;
  private readonly clock: Clock;
  private readonly fallback: (line: string) => void;
  private readonly warnOnce: (msg: string) => void;
  private dropped: DropEpisode | undefined;

  constructor(opts: FileLogSinkOptions) {
    super(opts);
    this.path = opts.path;
    this.cfgName = basename(opts.cfgName);
    this.pid = opts.pid ?? process.pid;
    this.clock = opts.clock ?? systemClock();
    this.fallback = opts.fallback ?? ((line) => process.stderr.write(line));
    this.warnOnce = opts.warn ?? ((msg) => this.fallback(`${msg}\n`));
  }

  reopen(): void {
    this.closeFd();
    this.openFd();
  }

  close(): Promise<void> {
    this.closeFd();
    return Promise.resolve();
  }

  protected write(_level: LogLevel, msg: string): void {
    const now = this.clock.wallNow();
    const line = formatFileLine(now, this.cfgName, this.pid, msg);
    const d = this.dropped;
    // The notice and the line go in one write: both reach the file or neither does.
    const text = d ? formatFileLine(now, this.cfgName, this.pid, `${d.count} log line${d.count === 1 ? '' : 's'} dropped since ${perlLocaltime(d.sinceMs)}: could not write ${this.path} (${d.reason})`) + line : line;
    try {
      if (this.fd === undefined || this.rotatedAway()) this.reopen();
      this.writeWhole(this.fd!, Buffer.from(text));
      this.dropped = undefined;
    } catch (e) {
      // As ld_log: when the file cannot be written, the message goes to stderr.
      this.closeFd();
      if (d) d.count++;
      else {
        this.dropped = { count: 1, sinceMs: now, reason: errnoText(e) };
        this.warnOnce(`cannot write log file ${this.path} (${errnoText(e)}); dropping log lines until it can be written again, then the first line written there says how many were lost`);
      }
      this.fallback(`${chomp(msg)}\n`);
    }
  }

  /**
   * Appends all of buf or nothing. A full file system accepts the part of a line that
   * fits in the last allocated block (a short write) and refuses the rest; that part is
   * cut off again, unless another process appended behind it meanwhile.
   */
  private writeWhole(fd: number, buf: Buffer): void {
    const before = fstatSync(fd).size;
    let done = 0;
    try {
      while (done < buf.length) {
        const n = writeSync(fd, buf, done, buf.length - done);
        if (n <= 0) throw Object.assign(new Error('no progress writing the log file'), { code: 'EIO' });
        done += n;
      }
    } catch (e) {
      if (done > 0) {
        try {
          if (fstatSync(fd).size === before + done) ftruncateSync(fd, before);
        } catch {
          /* the partial line stays; nothing more can be done here */
        }
      }
      throw e;
    }
  }

  /** The path now names another file (renamed by logrotate) or nothing (deleted). */
  private rotatedAway(): boolean {
    try {
      return statSync(this.path).ino !== this.ino;
    } catch {
      return true;
    }
  }

  private openFd(): void {
    this.fd = openSync(this.path, 'a', 0o640);
    this.ino = fstatSync(this.fd).ino;
  }

  private closeFd(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Already gone; nothing to release.
      }
    }
    this.fd = undefined;
    this.ino = undefined;
  }
}

export interface StreamLogSinkOptions extends LevelFilter {
  readonly stream?: NodeJS.WritableStream;
  /** Default `supervised`. */
  readonly style?: StreamStyle;
  readonly clock?: Clock;
}

/** stdout (supervised=yes, systemd) or stderr (foreground -d). */
export class StreamLogSink extends LineSink {
  private readonly stream: NodeJS.WritableStream;
  private readonly style: StreamStyle;
  private readonly clock: Clock;

  constructor(opts: StreamLogSinkOptions = {}) {
    super(opts);
    this.stream = opts.stream ?? process.stdout;
    this.style = opts.style ?? 'supervised';
    this.clock = opts.clock ?? systemClock();
  }

  reopen(): void {
    // Nothing to reopen: the supervisor owns the stream.
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  protected write(level: LogLevel, msg: string): void {
    this.stream.write(formatStreamLine(this.clock.wallNow(), level, msg, this.style));
  }
}

export interface SyslogLogSinkOptions extends SyslogWriterOptions, LevelFilter {}

/** syslog (logfile = a facility), through SyslogWriter. */
export class SyslogLogSink extends LineSink {
  private readonly writer: SyslogWriter;

  constructor(opts: SyslogLogSinkOptions) {
    super(opts);
    this.writer = new SyslogWriter(opts);
  }

  reopen(): void {
    this.writer.reopen();
  }

  /** Resolves once every line so far is with syslog (or, failing that, on stderr). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }

  protected write(level: LogLevel, msg: string): void {
    this.writer.write(level, msg);
  }
}

export interface LogSinkChoice {
  /** GlobalConfig.logfile: a path, or a syslog facility. */
  readonly logfile: string;
  readonly supervised: boolean;
  /** The config file (its base name is ldirectord's CFGNAME). */
  readonly configFile: string;
  /** -d / foreground debugging: every line, debug included, bare on stderr (as ld_log). */
  readonly foreground?: boolean;
  /** Syslog ident; `haldir` or `haldir-vrrp`. */
  readonly ident?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly clock?: Clock;
}

/** Error with a stable code for an unusable logfile value. */
export class LogSinkError extends Error {
  constructor(
    readonly code: 'E-LOGFILE-FACILITY',
    message: string,
  ) {
    super(message);
    this.name = 'LogSinkError';
  }
}

/**
 * The one warning a file sink gives when it starts dropping lines: a detached daemon's
 * stderr leads nowhere, so it goes to syslog (facility daemon) as well.
 */
export function syslogAndStderrWarning(ident: string, opts: Pick<SyslogWriterOptions, 'socketPath'> = {}): (msg: string) => void {
  return (msg) => {
    process.stderr.write(`${ident}: ${msg}\n`);
    const writer = new SyslogWriter({ facility: 'daemon', ident, socketPath: opts.socketPath, fallback: () => {} });
    writer.write('warn', msg);
    void writer.close();
  };
}

/** Picks and builds the sink as ld_openlog/ld_log would choose it. */
export function createLogSink(choice: LogSinkChoice): LogSink {
  const env = choice.env ?? process.env;
  if (choice.foreground) {
    return new StreamLogSink({ stream: process.stderr, style: 'bare', debug: true, clock: choice.clock });
  }
  if (choice.supervised) {
    let stdoutStat: { dev: number; ino: number } | undefined;
    try {
      stdoutStat = fstatSync(1);
    } catch {
      stdoutStat = undefined;
    }
    return new StreamLogSink({
      style: isJournalStream(env.JOURNAL_STREAM, stdoutStat) ? 'journal' : 'supervised',
      clock: choice.clock,
    });
  }
  if (choice.logfile.startsWith('/')) {
    const ident = choice.ident ?? 'haldir';
    return new FileLogSink({ path: choice.logfile, cfgName: choice.configFile, clock: choice.clock, warn: syslogAndStderrWarning(ident) });
  }
  const facility = parseFacility(choice.logfile);
  if (facility === undefined) {
    throw new LogSinkError(
      'E-LOGFILE-FACILITY',
      `logfile "${choice.logfile}" is neither an absolute path nor a syslog facility; ` +
        'use a path such as /var/log/haldir.log or a facility such as local0 or daemon',
    );
  }
  return new SyslogLogSink({ facility: choice.logfile, ident: choice.ident ?? 'haldir' });
}
