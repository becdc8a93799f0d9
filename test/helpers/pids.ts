// PIDs a test may signal. A test never signals a PID it did not start: a made-up number
// (999999) may belong to anything on the machine by the time the test runs, and tests run
// as root.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/**
 * A PID that no process holds: one of a process this test started and reaped (spawnSync
 * waits for it), checked not to have been reused since. For "stale pid file" cases.
 */
export function reapedPid(): number {
  for (let i = 0; i < 20; i++) {
    const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
    if (r.pid !== undefined && r.pid > 0 && !existsSync(`/proc/${r.pid}`)) return r.pid;
  }
  throw new Error('could not obtain a free (reaped, not reused) pid in 20 tries');
}

/** The command line of a live process, or undefined once it is gone. */
export function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/**
 * SIGKILLs `pid` only while its command line still contains `mustContain` (the process
 * the test started, not a later holder of a reused PID).
 */
export function killIfStill(pid: number, mustContain: string): void {
  if (!cmdlineOf(pid)?.includes(mustContain)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // exited meanwhile
  }
}
