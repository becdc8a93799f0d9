// Pid files the way ldirectord keeps them (ld_init, L1030): one line with the pid; a pid
// whose /proc/PID/cmdline does not name the program is treated as stale.
import { readFileSync, writeFileSync, rmSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type PidState =
  | { readonly kind: 'none' }
  | { readonly kind: 'stale'; readonly pid: number | undefined }
  | { readonly kind: 'running'; readonly pid: number };

/** Default pid file: /run/haldir.CFGNAME.pid (ldirectord: /var/run/ldirectord.CFGNAME.pid). */
export function defaultPidFile(configPath: string, runDir = '/run', prog = 'haldir'): string {
  return join(runDir, `${prog}.${basename(configPath)}.pid`);
}

/** The control socket lives beside the pid file: haldir.CFGNAME.sock. */
export function controlSocketFor(pidFile: string): string {
  const b = basename(pidFile).replace(/\.pid$/, '');
  return join(dirname(pidFile), `${b}.sock`);
}

function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

/** Reads the pid file and decides whether the process in it is ours and alive. */
export function readPidState(pidFile: string, programMarker = 'haldir'): PidState {
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch {
    return { kind: 'none' };
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) return { kind: 'stale', pid: undefined };
  const cmd = cmdlineOf(pid);
  if (cmd !== undefined && cmd.includes(programMarker)) return { kind: 'running', pid };
  return { kind: 'stale', pid };
}

/** Writes atomically (temp file + rename) so a reader never sees a half-written pid. */
export function writePidFile(pidFile: string, pid = process.pid): void {
  const tmp = `${pidFile}.${pid}.tmp`;
  writeFileSync(tmp, `${pid}\n`, { mode: 0o644 });
  renameSync(tmp, pidFile);
}

/** Removes the pid file only if it still names us (a newer instance may own it). */
export function removePidFile(pidFile: string, pid = process.pid): void {
  try {
    const cur = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
    if (cur === pid) rmSync(pidFile, { force: true });
  } catch {
    /* already gone */
  }
}
