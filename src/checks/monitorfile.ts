// monitorfile lines, as service_set (L4150) writes them:
//   [LOCALTIME] [PID] REAL_ID_WITH_COLON_RUNS_AS_SPACES [up|down] MESSAGE
// REAL_ID is get_real_id_str with its quotemeta backslashes removed; MESSAGE has '%', '|',
// CR and LF escaped as %xx; LOCALTIME is Perl's scalar localtime().
import { appendFile } from 'node:fs/promises';
import type { Logger } from '../runtime/logger.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Perl's scalar localtime: "Sat Nov 21 05:08:00 2026" (day of month space-padded). */
export function perlLocaltime(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

export function escapeMonitorMessage(msg: string): string {
  return msg.replace(/[%|\r\n]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function monitorLine(wallMs: number, pid: number, realIdStr: string, state: 'up' | 'down', message: string): string {
  const real = realIdStr.replace(/:+/g, ' ').replace(/\\/g, '');
  return `[${perlLocaltime(wallMs)}] [${pid}] ${real} [${state}] ${escapeMonitorMessage(message)}\n`;
}

/** Appends lines, in order per file, without ever blocking a check. */
export class MonitorFileWriter {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly logger: Logger) {}

  write(file: string, line: string): void {
    const prev = this.chains.get(file) ?? Promise.resolve();
    const next = prev
      .then(() => appendFile(file, line))
      .catch((e: unknown) => {
        this.logger.error(`Error writing to monitorfile '${file}': ${(e as Error).message} (check the path and its permissions)`);
      });
    this.chains.set(file, next);
    void next.then(() => {
      if (this.chains.get(file) === next) this.chains.delete(file);
    });
  }

  /** Resolves when every queued line is written. */
  async flush(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }
}
