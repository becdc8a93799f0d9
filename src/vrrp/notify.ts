// notify_master / notify_backup / notify_fault / notify_stop and the generic notify
// (keepalived vrrp_notify.c): the specific script runs as written; the generic one
// gets "INSTANCE" NAME STATE PRIORITY appended (a sync group's: "GROUP" NAME STATE 0).
// Run without a shell, in their own process group, killed after a timeout, never awaited
// by the protocol loop, with the clean environment of src/runtime/child-env.ts.

import { childEnvironment } from '../runtime/child-env.js';
import { execFile } from '../runtime/exec.js';
import type { Logger } from '../runtime/logger.js';
import type { NotifyState } from './machine.js';

export interface NotifyScripts {
  master?: readonly string[];
  backup?: readonly string[];
  fault?: readonly string[];
  stop?: readonly string[];
  generic?: readonly string[];
}

/** The argv lists to run for one transition, in keepalived's order (specific, then generic). */
export function notifyCommands(s: NotifyScripts, instance: string, state: NotifyState, priority: number, kind: 'INSTANCE' | 'GROUP' = 'INSTANCE'): string[][] {
  const specific = { MASTER: s.master, BACKUP: s.backup, FAULT: s.fault, STOP: s.stop }[state];
  const out: string[][] = [];
  if (specific?.length) out.push([...specific]);
  if (s.generic?.length) out.push([...s.generic, kind, instance, state, String(priority)]);
  return out;
}

export function runNotify(log: Logger, argvs: string[][], timeoutMs = 30_000): Promise<void> {
  return Promise.all(
    argvs.map(async (argv) => {
      const r = await execFile(argv, { timeoutMs, env: childEnvironment() });
      if (r.error) log.error(`VRRP-NOTIFY: cannot run ${argv[0]}: ${r.error}; check the path and that it is executable`);
      else if (r.timedOut) log.warn(`VRRP-NOTIFY: ${argv.join(' ')} killed after ${timeoutMs} ms`);
      else if (r.code !== 0) log.warn(`VRRP-NOTIFY: ${argv.join(' ')} exited with ${r.code ?? r.signal}`);
    }),
  ).then(() => undefined);
}
