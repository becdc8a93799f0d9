// The runner's own checks that the suite left nothing behind: processes, network
// namespaces, accounts, temp files. Each check looks only at what this run can own, so
// another run beside it (other engineers, CI jobs) is never counted:
// - processes: the runner is a child subreaper (prctl PR_SET_CHILD_SUBREAPER, set by the
//   perl wrapper in run.mjs), so anything a test started and orphaned (a daemon that
//   forked, ldirectord's fork=yes children, keepalived's VRRP child) is reparented to the
//   runner instead of init. Once a phase has ended, every live child of the runner is a leak.
// - network namespaces: as root the run has a private mount namespace with its own tmpfs
//   on /run/netns, so `ip netns list` there shows only namespaces this run created.
// - temp files: the run sets TMPDIR to a directory of its own.
// - accounts and PAM services: /etc/passwd, /etc/group and /etc/pam.d names that appeared
//   during the run and are still there (tests must not leave any; a concurrent run of
//   this suite removes its own before it ends).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Children of this process that are still running (zombies have already exited). */
export function liveChildren() {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid ... ; comm may contain spaces and parentheses
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    const ppid = Number(rest[1]);
    if (ppid !== process.pid || state === 'Z' || state === 'X') continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
      /* exited meanwhile */
    }
    out.push({ pid: Number(name), cmd });
  }
  return out;
}

const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Processes the finished phase left running. A process killed in a test's last moments
 * may take a moment to exit, so a child counts only if it is still there after `graceMs`.
 * Leaks are then killed (and their own children, which get reparented to the runner in
 * turn), so the next phase starts clean.
 */
export function collectLeakedProcesses(graceMs = 5000) {
  const end = Date.now() + graceMs;
  let left = liveChildren();
  while (left.length > 0 && Date.now() < end) {
    pause(100);
    left = liveChildren();
  }
  const leaked = [...left];
  for (let round = 0; round < 20 && left.length > 0; round++) {
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    pause(200);
    left = liveChildren();
    for (const p of left) if (!leaked.some((l) => l.pid === p.pid)) leaked.push(p);
  }
  return leaked;
}

export function netnsNames() {
  try {
    return readdirSync('/run/netns').sort();
  } catch {
    return [];
  }
}

/** Deletes the namespaces a run left (they live only in the run's mount namespace). */
export function removeNetns(names) {
  for (const n of names) {
    try {
      execFileSync('ip', ['netns', 'del', n], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      /* reported already */
    }
  }
}

export function accountNames() {
  const names = (file) => {
    try {
      return readFileSync(file, 'utf8').split('\n').map((l) => l.split(':')[0]).filter(Boolean);
    } catch {
      return [];
    }
  };
  return new Set([...names('/etc/passwd').map((n) => `user ${n}`), ...names('/etc/group').map((n) => `group ${n}`)]);
}

export function listTree(dir) {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
