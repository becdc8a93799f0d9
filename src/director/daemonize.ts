// Performing a LifecycleAction: signals and waiting for a pid file to vanish; the
// daemonizing itself (re-exec detached, wait for the pid file) is src/runtime/daemonize.ts.
import type { LifecycleAction } from './lifecycle.js';
import { sendSignal, waitForPidFileGone } from '../runtime/daemonize.js';

export { DAEMON_CHILD_ENV, isDaemonChild, spawnDaemon } from '../runtime/daemonize.js';

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
