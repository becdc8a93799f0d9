// Running a reference implementation (ldirectord, keepalived) beside haldir without
// touching the host: its files live in the test's temp dir, it gets its own process
// group so that everything it forks dies with it, and its environment is minimal.
import type { ChildProcess } from 'node:child_process';

/**
 * The environment for a reference daemon run in `dir`: PATH, HOME=dir and a fixed
 * HOSTNAME (ldirectord reads it for alerts), plus the runner's HALDIR_TEST_RUN marker so
 * the suite's leak check can still recognise the process.
 */
export function referenceEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir, HOSTNAME: 'haldir-test' };
  if (process.env['HALDIR_TEST_RUN']) env['HALDIR_TEST_RUN'] = process.env['HALDIR_TEST_RUN'];
  return env;
}

/**
 * SIGKILLs the process group of a child spawned with `detached: true`: ldirectord's
 * fork=yes children (one per virtual, ld_main) and keepalived's VRRP child share it, and
 * killing only the parent would leave them running, reparented to init.
 */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is already gone (ESRCH)
  }
}
