// Starting VRRP peers inside a test LAN: haldir-vrrp (this repo's build) and
// keepalived 2.2.7 (`keepalived -n -l -P -f FILE -p PIDFILE -r VRRPPIDFILE`), with
// their log lines collected and time-stamped on arrival so tests can wait for them.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Lan } from '../../helpers/netns/lan.js';

const CLI = new URL('../../../src/cli/haldir-vrrp.js', import.meta.url).pathname;

export interface Peer {
  kind: 'haldir' | 'keepalived';
  node: string;
  proc: ChildProcess;
  lines: { at: number; text: string }[];
  /** Resolves with the arrival time (performance.now()) of the first matching line after `since`. */
  waitFor(re: RegExp, timeoutMs: number, since?: number): Promise<number>;
  has(re: RegExp): boolean;
  kill(sig: NodeJS.Signals): void;
  exited: Promise<void>;
  dir: string;
}

const running = new Set<Peer>();

function collect(kind: Peer['kind'], node: string, proc: ChildProcess, dir: string): Peer {
  const lines: { at: number; text: string }[] = [];
  const waiters: { re: RegExp; since: number; resolve: (t: number) => void }[] = [];
  const onData = (buf: Buffer): void => {
    const at = performance.now();
    for (const text of buf.toString('utf8').split('\n')) {
      if (!text.trim()) continue;
      lines.push({ at, text });
      if (process.env.VRRP_TEST_DEBUG) process.stderr.write(`[${kind}@${node} ${at.toFixed(0)}] ${text}\n`);
      for (const w of [...waiters]) {
        if (at >= w.since && w.re.test(text)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(at);
        }
      }
    }
  };
  let partial = '';
  const splitter = (d: Buffer): void => {
    const s = partial + d.toString('utf8');
    const cut = s.lastIndexOf('\n');
    partial = cut >= 0 ? s.slice(cut + 1) : s;
    if (cut >= 0) onData(Buffer.from(s.slice(0, cut)));
  };
  proc.stdout?.on('data', splitter);
  proc.stderr?.on('data', splitter);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const peer: Peer = {
    kind,
    node,
    proc,
    lines,
    dir,
    exited,
    has: (re) => lines.some((l) => re.test(l.text)),
    waitFor(re, timeoutMs, since = -Infinity) {
      const hit = lines.find((l) => l.at >= since && re.test(l.text));
      if (hit) return Promise.resolve(hit.at);
      return new Promise((resolve, reject) => {
        const w = { re, since, resolve: (t: number) => (clearTimeout(timer), resolve(t)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          // Both sides' recent lines: a missed transition is usually explained by the peer.
          const others = [...running].filter((p) => p.lines !== lines);
          const tail = (k: string, ls: { at: number; text: string }[]) => `--- ${k}:\n${ls.slice(-15).map((l) => `${l.at.toFixed(0)} ${l.text}`).join('\n')}`;
          reject(
            new Error(
              `${kind}@${node}: no line matching ${re} within ${timeoutMs} ms\n${tail(`${kind}@${node}`, lines)}\n${others.map((o) => tail(`${o.kind}@${o.node}`, o.lines)).join('\n')}`,
            ),
          );
        }, timeoutMs);
        waiters.push(w);
      });
    },
    kill(sig) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      if (kind === 'keepalived' && sig === 'SIGKILL') {
        // keepalived's VRRP work happens in a child that its parent's death turns into
        // a clean stop (PR_SET_PDEATHSIG): a crash means killing that child first.
        try {
          process.kill(Number(readFileSync(join(dir, 'vrrp.pid'), 'utf8').trim()), 'SIGKILL');
        } catch {
          /* not started yet */
        }
      }
      proc.kill(sig);
    },
  };
  running.add(peer);
  void exited.then(() => setTimeout(() => running.delete(peer), 5000).unref());
  return peer;
}

export function startHaldir(lan: Lan, node: string, vrrpCf: string): Peer {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-vrrp-test-'));
  writeFileSync(join(dir, 'vrrp.cf'), vrrpCf);
  const proc = lan.spawn(node, process.execPath, [CLI, '-d', '--pidfile', join(dir, 'haldir-vrrp.pid'), join(dir, 'vrrp.cf'), 'start']);
  return collect('haldir', node, proc, dir);
}

export function startKeepalived(lan: Lan, node: string, conf: string): Peer {
  const dir = mkdtempSync(join(tmpdir(), 'keepalived-test-'));
  writeFileSync(join(dir, 'keepalived.conf'), conf);
  const proc = lan.spawn(node, 'keepalived', [
    '-n', '-l', '-P', '-D',
    '-f', join(dir, 'keepalived.conf'),
    '-p', join(dir, 'keepalived.pid'),
    '-r', join(dir, 'vrrp.pid'),
  ]);
  return collect('keepalived', node, proc, dir);
}

export async function stopPeer(p: Peer | undefined): Promise<void> {
  if (!p) return;
  p.kill('SIGKILL');
  await Promise.race([p.exited, new Promise((r) => setTimeout(r, 3000))]);
  rmSync(p.dir, { recursive: true, force: true });
}

export interface InstanceSpec {
  name?: string;
  vrid: number;
  priority: number;
  state?: 'MASTER' | 'BACKUP';
  version: 2 | 3;
  advertInt: number;
  vips: string[];
  authPass?: string;
  nopreempt?: boolean;
  unicastSrc?: string;
  unicastPeers?: string[];
}

/** The same instance as haldir's vrrp.cf ... */
export function vrrpCf(i: InstanceSpec, routerId: string): string {
  const l = ['[global]', `router_id = ${routerId}`, '', `[vrrp_instance ${i.name ?? 'VI_1'}]`, `state = ${i.state ?? 'BACKUP'}`, 'interface = eth0'];
  l.push(`virtual_router_id = ${i.vrid}`, `priority = ${i.priority}`, `advert_int = ${i.advertInt}`, `version = ${i.version}`);
  if (i.authPass) l.push('auth_type = PASS', `auth_pass = ${i.authPass}`);
  if (i.nopreempt) l.push('nopreempt = yes');
  for (const v of i.vips) l.push(`virtual_ipaddress[] = ${v}`);
  if (i.unicastSrc) l.push(`unicast_src_ip = ${i.unicastSrc}`);
  for (const p of i.unicastPeers ?? []) l.push(`unicast_peer[] = ${p}`);
  // Fewer GARP repeats keep arping traffic low in tests.
  l.push('garp_master_repeat = 1', 'garp_master_delay = 1');
  return l.join('\n') + '\n';
}

/** ... and as keepalived.conf. */
export function keepalivedConf(i: InstanceSpec, routerId: string): string {
  const l = ['global_defs {', `  router_id ${routerId}`, '}', `vrrp_instance ${i.name ?? 'VI_1'} {`, `  state ${i.state ?? 'BACKUP'}`, '  interface eth0'];
  l.push(`  virtual_router_id ${i.vrid}`, `  priority ${i.priority}`, `  advert_int ${i.advertInt}`, `  version ${i.version}`);
  if (i.authPass) l.push('  authentication {', '    auth_type PASS', `    auth_pass ${i.authPass}`, '  }');
  if (i.nopreempt) l.push('  nopreempt');
  l.push('  virtual_ipaddress {', ...i.vips.map((v) => `    ${v}`), '  }');
  if (i.unicastSrc) l.push(`  unicast_src_ip ${i.unicastSrc}`);
  if (i.unicastPeers?.length) l.push('  unicast_peer {', ...i.unicastPeers.map((p) => `    ${p}`), '  }');
  l.push('  garp_master_repeat 1', '  garp_master_delay 1', '}');
  return l.join('\n') + '\n';
}

/**
 * Signals the master and returns the milliseconds until the backup logs
 * "Entering MASTER STATE" (arrival time of the line), once the master has exited.
 */
export async function measureFailover(master: Peer, backup: Peer, sig: 'SIGKILL' | 'SIGTERM', timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  master.kill(sig);
  const t1 = await backup.waitFor(/\(VI_\w+\) Entering MASTER STATE/, timeoutMs, t0);
  await master.exited;
  return t1 - t0;
}

/**
 * Whether the VIP is on the node's interface; with `expect`, polls up to settleMs for
 * that answer (VIP changes run just after the log line that announces them).
 */
export async function hasVip(lan: Lan, node: string, vip: string, expect?: boolean, settleMs = 1000): Promise<boolean> {
  const end = performance.now() + settleMs;
  for (;;) {
    const on = (await lan.addresses(node)).includes(vip);
    if (expect === undefined || on === expect || performance.now() > end) return on;
    await new Promise((r) => setTimeout(r, 25));
  }
}
