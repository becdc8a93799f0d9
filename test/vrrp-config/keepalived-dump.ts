// Runs real keepalived 2.2.7 with -d (dump the effective configuration) inside a
// network namespace the caller's test creates, and reads the dump into records the
// tests compare with haldir's model. keepalived is the oracle for "what a config means".
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killGroup } from '../helpers/reference-daemon.js';
import { waitFor } from '../helpers/wait.js';

export interface DumpInstance {
  readonly name: string;
  readonly fields: ReadonlyMap<string, string>;
  /** Indented list blocks: "Virtual IP", "Virtual IP Excluded", "Unicast Peer", "Tracked interfaces", "Tracked scripts". */
  readonly lists: ReadonlyMap<string, readonly string[]>;
}

/** " VRRP Sync Group = G1, BACKUP" and its indented fields (the transition scripts among them). */
export interface DumpGroup {
  readonly name: string;
  readonly members: readonly string[];
  readonly fields: ReadonlyMap<string, string>;
}

export interface Dump {
  readonly global: ReadonlyMap<string, string>;
  readonly emails: readonly string[];
  readonly instances: ReadonlyMap<string, DumpInstance>;
  readonly groups: ReadonlyMap<string, DumpGroup>;
  readonly log: string;
}

const STAMP = /^\w{3} \w{3} +\d+ [\d:]+ \d{4}: /;

export function parseDump(text: string): Dump {
  const global = new Map<string, string>();
  const emails: string[] = [];
  const instances = new Map<string, DumpInstance>();
  const groups = new Map<string, { name: string; members: string[]; fields: Map<string, string> }>();
  let group: { name: string; members: string[]; fields: Map<string, string> } | undefined;
  let cur: { name: string; fields: Map<string, string>; lists: Map<string, string[]> } | undefined;
  let list: string[] | undefined;
  let inEmails = false;
  let emailsSeen = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(STAMP, '');
    // dump lines start with a space or "------<"; anything else is a log line of the running
    // VRRP process that landed in the middle of the dump
    if (!/^( |------<)/.test(line)) continue;
    const sg = /^ VRRP Sync Group = (\S+), \S+$/.exec(line);
    if (sg?.[1]) {
      group = { name: sg[1], members: [], fields: new Map() };
      // the parent's and the VRRP child's dumps may both list it: keep the first
      if (!groups.has(group.name)) groups.set(group.name, group);
      cur = undefined;
      continue;
    }
    if (group) {
      const member = /^ {5}(\S+)$/.exec(line);
      const field = /^ {3}(\S[^=]*?) = (.*)$/.exec(line);
      if (member?.[1]) group.members.push(member[1]);
      else if (field?.[1] && field[2] !== undefined) group.fields.set(field[1], field[2]);
      else if (!/^ {3}\S/.test(line)) group = undefined;
      if (group) continue;
    }
    const inst = /^ VRRP Instance = (\S+)$/.exec(line);
    if (inst?.[1]) {
      cur = { name: inst[1], fields: new Map(), lists: new Map() };
      // a second dump (the VRRP child's) may be cut short when the test stops keepalived
      if (!instances.has(cur.name)) instances.set(cur.name, cur);
      list = undefined;
      continue;
    }
    if (/^(------<| \S)/.test(line)) {
      cur = undefined;
      list = undefined;
    }
    if (!cur) {
      const g = /^ (\S[^=]*?) = (.*)$/.exec(line);
      if (g?.[1] && g[2] !== undefined && !global.has(g[1])) global.set(g[1], g[2]);
      // keepalived's parent and VRRP child may both dump: read the first list only
      if (/^ Email notification to:/.test(line)) inEmails = !emailsSeen;
      else if (inEmails && /^ {3}\S/.test(line)) emails.push(line.trim());
      else if (inEmails) {
        inEmails = false;
        emailsSeen = true;
      }
      continue;
    }
    const sub = /^ {5}(\S.*)$/.exec(line);
    if (sub?.[1] && list) {
      list.push(sub[1]);
      continue;
    }
    const head = /^ {3}(\S.*?)(?: \(\d+\))? ?:$/.exec(line);
    if (head?.[1]) {
      list = [];
      cur.lists.set(head[1], list);
      continue;
    }
    list = undefined;
    const f = /^ {3}(\S[^=]*?) = (.*)$/.exec(line) ?? /^ {3}(Multicast address) (.*)$/.exec(line);
    if (f?.[1] && f[2] !== undefined) cur.fields.set(f[1], f[2]);
  }
  return { global, emails, instances, groups, log: text };
}

let counter = 0;

/**
 * keepalived -d on `conf` in a fresh namespace with veth interfaces `ifaces` (up, with a
 * private address each, so instances do not start in FAULT). Kills keepalived and deletes
 * the namespace before returning.
 */
export async function keepalivedDump(conf: string, ifaces: readonly string[]): Promise<Dump> {
  const ns = `hvcfg${process.pid % 100000}x${++counter}`;
  const dir = mkdtempSync(join(tmpdir(), 'haldir-kadump-'));
  const ip = (...args: string[]) => {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  };
  try {
    writeFileSync(join(dir, 'keepalived.conf'), conf);
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ifaces.forEach((name, i) => {
      ip('-n', ns, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `peer${i}`);
      ip('-n', ns, 'addr', 'add', `10.250.${i}.1/24`, 'dev', name);
      ip('-n', ns, 'link', 'set', `peer${i}`, 'up');
      ip('-n', ns, 'link', 'set', name, 'up');
    });
    // one pipe for stdout and stderr: two pipes would interleave chunks mid-line
    const child = spawn('sh', ['-c', 'exec "$0" "$@" 2>&1', 'ip', 'netns', 'exec', ns, 'keepalived', '-n', '-l', '-P', '-d',
      '-f', join(dir, 'keepalived.conf'), '-p', join(dir, 'k.pid'), '-r', join(dir, 'v.pid')], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    let closed = false;
    // 'close', not 'exit': by then every byte keepalived wrote has been read
    const done = new Promise<void>((resolve) => child.once('close', () => ((closed = true), resolve())));
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      // The dump is complete once keepalived prints its interface section (or once it has
      // exited and said all it will say). A dump cut short by a timer would be compared
      // as if it were keepalived's answer, so running out of time is an error instead.
      await waitFor("keepalived's configuration dump (its ------< Interfaces >------ section, or its exit)", () => closed || out.includes('------< Interfaces >------'), {
        timeoutMs: 60_000,
        stepMs: 50,
        describe: () => out.slice(-2000),
      });
    } finally {
      // keepalived and its VRRP child share the process group `ip netns exec` started
      if (!closed) killGroup(child);
      await done;
    }
    return parseDump(out);
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** keepalived -t in a namespace with the interfaces: exit status and output. */
export function keepalivedCheck(conf: string, ifaces: readonly string[]): { status: number | null; output: string } {
  const ns = `hvcfgt${process.pid % 100000}x${++counter}`;
  const dir = mkdtempSync(join(tmpdir(), 'haldir-kacheck-'));
  try {
    writeFileSync(join(dir, 'keepalived.conf'), conf);
    spawnSync('ip', ['netns', 'add', ns]);
    ifaces.forEach((name, i) => spawnSync('ip', ['-n', ns, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `peer${i}`]));
    const r = spawnSync('ip', ['netns', 'exec', ns, 'keepalived', '-t', '-l', '-n', '-f', join(dir, 'keepalived.conf'), '-p', join(dir, 'k.pid'), '-r', join(dir, 'v.pid')], { encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, output: (r.stdout ?? '') + (r.stderr ?? '') };
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}
