// Pid files the way ldirectord keeps them (ld_init, L1030): one line with the pid, so
// init scripts, systemd's PIDFile= and pidof-style tools read them unchanged.
//
// ldirectord trusts a pid whose /proc/PID/cmdline contains "ldirectord" anywhere, so a
// stale pid reused by `tail -f /var/log/ldirectord.log` counts as the daemon and gets
// its SIGTERM. haldir makes the pid file prove its owner instead: the daemon keeps the
// pid file open for as long as it runs (an fd on that very inode, visible in
// /proc/PID/fd), and the process must be this program (its script is haldir.js or
// haldir-vrrp.js, not merely a command line mentioning the name). A crashed daemon's
// fds are closed by the kernel, so a reused pid can never hold the file. One pid file
// belongs to one config (haldir.CFGNAME.pid), so holding it also names the config.
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

export type PidState =
  | { readonly kind: 'none' }
  | { readonly kind: 'stale'; readonly pid: number | undefined }
  | { readonly kind: 'running'; readonly pid: number };

/** The two programs that keep pid files; each only ever owns its own. */
export type PidProgram = 'haldir' | 'haldir-vrrp';

/** Default pid file: /run/haldir.CFGNAME.pid (ldirectord: /var/run/ldirectord.CFGNAME.pid). */
export function defaultPidFile(configPath: string, runDir = '/run', prog: PidProgram = 'haldir'): string {
  return join(runDir, `${prog}.${basename(configPath)}.pid`);
}

/** The control socket lives beside the pid file: haldir.CFGNAME.sock. */
export function controlSocketFor(pidFile: string): string {
  const b = basename(pidFile).replace(/\.pid$/, '');
  return join(dirname(pidFile), `${b}.sock`);
}

/** What /proc tells about the process a pid file names, as far as we may read it. */
export interface ProcessFacts {
  /** /proc/PID/cmdline split at NULs; undefined when there is no such process. */
  readonly argv: readonly string[] | undefined;
  /** The script argument resolved against the process's cwd, through symlinks; undefined when not readable. */
  readonly scriptRealpath: string | undefined;
  /**
   * Whether one of its open files is the pid file (same device and inode); undefined
   * when /proc/PID/fd cannot be read (another user's process, no ptrace access).
   */
  readonly holdsPidFile: boolean | undefined;
}

/** The script argument of a `node [node-options] SCRIPT args...` command line. */
export function scriptArg(argv: readonly string[]): string | undefined {
  return argv.slice(1).find((a) => !a.startsWith('-'));
}

/** haldir is started as .../haldir.js or through a symlink named haldir (/usr/bin/haldir). */
function namesProgram(path: string | undefined, program: PidProgram): boolean {
  if (path === undefined) return false;
  const b = basename(path);
  return b === program || b === `${program}.js`;
}

/**
 * Decides whether the process proves it is `program`'s daemon owning the pid file.
 * Pure. Without access to its fds (an unprivileged `status` looking at root's daemon,
 * which could not signal it anyway) the script name alone has to do.
 */
export function provesOwner(facts: ProcessFacts, program: PidProgram): boolean {
  if (!facts.argv) return false;
  const script = scriptArg(facts.argv);
  const isProgram = facts.scriptRealpath !== undefined ? namesProgram(facts.scriptRealpath, program) || namesProgram(script, program) : namesProgram(script, program);
  if (!isProgram) return false;
  return facts.holdsPidFile ?? true;
}

function readArgv(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (raw === '') return undefined; // a zombie or kernel thread
    return raw.replace(/\0$/, '').split('\0');
  } catch {
    return undefined;
  }
}

function scriptRealpathOf(pid: number, argv: readonly string[]): string | undefined {
  const script = scriptArg(argv);
  if (script === undefined) return undefined;
  try {
    const path = isAbsolute(script) ? script : resolve(readlinkSync(`/proc/${pid}/cwd`), script);
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function holdsFile(pid: number, file: { dev: number; ino: number; name: string }): boolean | undefined {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EACCES' ? undefined : false;
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    // Cheap filter before the stat; the path itself may read differently from another
    // mount namespace (ip netns exec), so the inode decides.
    if (basename(target) !== file.name) continue;
    try {
      const st = statSync(`/proc/${pid}/fd/${fd}`);
      if (st.dev === file.dev && st.ino === file.ino) return true;
    } catch {
      /* closed meanwhile */
    }
  }
  return false;
}

/** Gathers ProcessFacts from /proc for `pid` and the pid file (its current inode). */
export function processFacts(pid: number, pidFile: string): ProcessFacts {
  const argv = readArgv(pid);
  if (!argv) return { argv: undefined, scriptRealpath: undefined, holdsPidFile: undefined };
  let file: { dev: number; ino: number; name: string } | undefined;
  try {
    const st = statSync(pidFile);
    file = { dev: st.dev, ino: st.ino, name: basename(realpathSync(pidFile)) };
  } catch {
    file = undefined;
  }
  return { argv, scriptRealpath: scriptRealpathOf(pid, argv), holdsPidFile: file ? holdsFile(pid, file) : false };
}

/** Reads the pid file and decides whether the process in it is `program`'s daemon holding it. */
export function readPidState(pidFile: string, program: PidProgram, facts: (pid: number, pidFile: string) => ProcessFacts = processFacts): PidState {
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch {
    return { kind: 'none' };
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) return { kind: 'stale', pid: undefined };
  return provesOwner(facts(pid, pidFile), program) ? { kind: 'running', pid } : { kind: 'stale', pid };
}

/** The fd each pid file written by this process is held open with (the proof of ownership). */
const held = new Map<string, number>();

function release(pidFile: string): void {
  const fd = held.get(pidFile);
  if (fd === undefined) return;
  held.delete(pidFile);
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
}

/**
 * Writes atomically (temp file + rename) so a reader never sees a half-written pid. When
 * the pid is ours, the file stays open until removePidFile (or exit): the fd is opened on
 * the temporary file before the rename, so the file is never ours without the proof.
 * Node opens files close-on-exec, so children (companions, checks) do not inherit it.
 */
export function writePidFile(pidFile: string, pid = process.pid): void {
  const tmp = `${pidFile}.${pid}.tmp`;
  writeFileSync(tmp, `${pid}\n`, { mode: 0o644 });
  const fd = pid === process.pid ? openSync(tmp, 'r') : undefined;
  try {
    renameSync(tmp, pidFile);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  release(pidFile);
  if (fd !== undefined) held.set(pidFile, fd);
}

/** Removes the pid file only if it still names us (a newer instance may own it). */
export function removePidFile(pidFile: string, pid = process.pid): void {
  try {
    const cur = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
    if (cur === pid) rmSync(pidFile, { force: true });
  } catch {
    /* already gone */
  }
  if (pid === process.pid) release(pidFile);
}
