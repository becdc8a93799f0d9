// Performing a LifecycleAction: signals, waiting for a pid file to vanish, and
// daemonizing. Node cannot fork(), so "daemonize" re-executes this same command line
// detached (setsid, stdio closed) with HALDIR_DAEMONIZED=1; the child writes the pid
// file once it has started, and the parent returns when the pid file names the child
// (or reports the child's early exit, e.g. an unreadable config).
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { readPidState } from '../runtime/pidfile.js';
import type { LifecycleAction } from './lifecycle.js';

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
 * Starts argv detached as a daemon and waits until it has written pidFile.
 * Returns 0 on success, the child's exit code (or 1) if it died before that.
 */
export async function spawnDaemon(
  argv: readonly string[],
  pidFile: string,
  opts: { timeoutMs?: number; stderrPath?: string; programMarker?: string } = {},
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
    const st = readPidState(pidFile, opts.programMarker ?? 'haldir');
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

export type ActionOutcome = { readonly kind: 'done'; readonly code: number } | { readonly kind: 'start' };

/** Performs everything but "start" (which the caller does its own way). */
export async function performAction(
  action: LifecycleAction,
  pidFile: string,
  io: { stdout: (s: string) => void; stderr: (s: string) => void; log: (s: string) => void },
): Promise<ActionOutcome> {
  switch (action.kind) {
    case 'exit':
      if (action.stdout) io.stdout(action.stdout);
      if (action.stderr) io.stderr(action.stderr);
      if (action.log) io.log(action.log);
      return { kind: 'done', code: action.code };
    case 'signal':
      sendSignal(action.pid, action.signal);
      return { kind: 'done', code: 0 };
    case 'restart':
      sendSignal(action.pid, 'SIGTERM');
      if (!(await waitForPidFileGone(pidFile, 60000))) {
        io.stderr(`pid file ${pidFile} still present 60 s after SIGTERM to ${action.pid}; not starting a second daemon\n`);
        return { kind: 'done', code: 1 };
      }
      return { kind: 'start' };
    case 'start':
      return { kind: 'start' };
  }
}
