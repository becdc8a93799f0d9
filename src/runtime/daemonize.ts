// Daemonizing without fork(): re-execute a command line detached (setsid, stdio closed)
// and wait until the child has written its pid file (or report its early exit). Shared
// by haldir (HALDIR_DAEMONIZED=1 marks the child) and haldir-vrrp.
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { readPidState, type PidProgram } from './pidfile.js';

export const DAEMON_CHILD_ENV = 'HALDIR_DAEMONIZED';

export function isDaemonChild(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[DAEMON_CHILD_ENV] === '1';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the pid file is gone (ldirectord polls every second; we poll faster). */
export async function waitForPidFileGone(pidFile: string, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!existsSync(pidFile)) return true;
    await sleep(50);
  }
  return !existsSync(pidFile);
}

/**
 * Waits until the daemon named by pidFile no longer runs: its pid file is gone or no
 * longer held by a live process of `program`. A process that has exited but was not
 * yet reaped (a zombie, e.g. under an init or a subreaper that reaps late) holds no
 * file and so counts as gone; `kill(pid, 0)` or /proc/PID would still see it.
 */
export async function waitUntilStopped(pidFile: string, program: PidProgram, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (readPidState(pidFile, program).kind !== 'running') return true;
    if (Date.now() >= end) return false;
    await sleep(50);
  }
}

/**
 * Starts argv detached as a daemon and waits until it has written pidFile.
 * Returns 0 on success, the child's exit code (or 1) if it died before that.
 */
export async function spawnDaemon(
  argv: readonly string[],
  pidFile: string,
  opts: { timeoutMs?: number; stderrPath?: string; program?: PidProgram } = {},
): Promise<{ code: number; pid: number | undefined }> {
  const errFd = opts.stderrPath ? openSync(opts.stderrPath, 'a') : 'ignore';
  const child = spawn(process.execPath, [...argv], {
    detached: true,
    stdio: ['ignore', 'ignore', errFd],
    env: { ...process.env, [DAEMON_CHILD_ENV]: '1' },
  });
  if (typeof errFd === 'number') closeSync(errFd);
  let exited: number | undefined;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  const end = Date.now() + (opts.timeoutMs ?? 15000);
  while (Date.now() < end) {
    const st = readPidState(pidFile, opts.program ?? 'haldir');
    if (st.kind === 'running' && st.pid === child.pid) return { code: 0, pid: child.pid };
    if (exited !== undefined) return { code: exited || 1, pid: undefined };
    await sleep(25);
  }
  return { code: 1, pid: child.pid };
}

/** Sends a signal; false when the process is gone. */
export function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

