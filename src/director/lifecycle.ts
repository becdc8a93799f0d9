// What an init-script command does given the pid file, as ldirectord's ld_init (L1030-1080)
// decides it. Pure: the caller performs the returned action. Exit codes are LSB's, as
// ldirectord's: status 0 running, 1 stale pid file, 3 stopped; reload when stopped 1.
import type { PidState } from '../runtime/pidfile.js';

export type LifecycleCommand =
  | 'start' | 'stop' | 'restart' | 'try-restart' | 'reload' | 'force-reload' | 'status';

export type LifecycleAction =
  /** Print and exit. */
  | { readonly kind: 'exit'; readonly code: number; readonly stdout?: string; readonly stderr?: string; readonly log?: string }
  /** Send a signal to the running daemon, then exit 0. */
  | { readonly kind: 'signal'; readonly pid: number; readonly signal: 'SIGTERM' | 'SIGHUP' }
  /** Stop the running daemon, wait for its pid file to vanish, then start a new one. */
  | { readonly kind: 'restart'; readonly pid: number }
  /** Start a new daemon. */
  | { readonly kind: 'start' };

export function decideLifecycle(
  cmd: LifecycleCommand,
  pid: PidState,
  names: { prog: string; config: string; pidFile: string },
): LifecycleAction {
  const { prog, config, pidFile } = names;
  if (pid.kind === 'running') {
    switch (cmd) {
      case 'start':
        return { kind: 'exit', code: 0, log: `Exiting from ${prog} ${cmd}` };
      case 'stop':
        return { kind: 'signal', pid: pid.pid, signal: 'SIGTERM' };
      case 'restart':
      case 'try-restart':
        return { kind: 'restart', pid: pid.pid };
      case 'reload':
      case 'force-reload':
        return { kind: 'signal', pid: pid.pid, signal: 'SIGHUP' };
      case 'status':
        return {
          kind: 'exit',
          code: 0,
          stderr: `${prog} for ${config} is running with pid: ${pid.pid}\n`,
          log: `${prog} for ${config} is running with pid: ${pid.pid}`,
        };
    }
  }
  switch (cmd) {
    case 'start':
    case 'restart':
      return { kind: 'start' };
    case 'stop':
    case 'try-restart':
      return { kind: 'exit', code: 0, log: `Exiting from ${prog} ${cmd}` };
    case 'status':
      if (pid.kind === 'stale') {
        return {
          kind: 'exit',
          code: 1,
          stderr: `${prog} stale pid file ${pidFile} for ${config}\n`,
          stdout: `${prog} is stopped for ${config}\n`,
        };
      }
      return { kind: 'exit', code: 3, stdout: `${prog} is stopped for ${config}\n` };
    case 'reload':
    case 'force-reload':
      return { kind: 'exit', code: 1, log: `${prog} is stopped for ${config}` };
  }
}
