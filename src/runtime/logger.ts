// The one logging interface every module takes. Messages keep ldirectord's and
// keepalived's texts; the sink (file in ldirectord's format, syslog, stdout) is chosen
// by the daemon (src/runtime/log-sinks.ts).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Keeps every line in memory; for tests and for `status -v` tails. */
export class MemoryLogger implements Logger {
  readonly lines: { level: LogLevel; msg: string }[] = [];
  debug(msg: string): void {
    this.lines.push({ level: 'debug', msg });
  }
  info(msg: string): void {
    this.lines.push({ level: 'info', msg });
  }
  warn(msg: string): void {
    this.lines.push({ level: 'warn', msg });
  }
  error(msg: string): void {
    this.lines.push({ level: 'error', msg });
  }
  messages(): string[] {
    return this.lines.map((l) => l.msg);
  }
}

export const nullLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
