// The director-pair topology of the seed articles, built in network namespaces: two
// directors (a, b) serving HTTP on the VIP themselves, a client (c) that requests the VIP
// in a loop and records which director answered, and a real SMTP server in c for alert
// mail. VRRP is cut between the directors with nftables inside their namespaces.

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLan } from '../../helpers/netns/lan.js';
import type { Lan } from '../../helpers/netns/lan.js';
import { stopPeer } from '../../vrrp/helpers/peers.js';
import type { Peer } from '../../vrrp/helpers/peers.js';

const script = (name: string): string => new URL(`./${name}.js`, import.meta.url).pathname;
const HALDIR = new URL('../../../src/cli/haldir.js', import.meta.url).pathname;

export interface Sample {
  readonly t: number;
  readonly who: string;
}

export interface Mail {
  readonly subject: string;
  readonly text: string;
  readonly to: string[];
}

export interface LineProc {
  proc: ChildProcess;
  lines: string[];
  waitLine(pred: (l: string) => boolean, timeoutMs: number): Promise<string>;
  exited: Promise<void>;
}

function lineProc(proc: ChildProcess): LineProc {
  const lines: string[] = [];
  const waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  // stdout and stderr both count (haldir -d logs to stderr), each split into lines on its own.
  const splitter = (): ((d: Buffer) => void) => {
    let partial = '';
    return (d) => {
      const parts = (partial + d.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const l of parts) {
        lines.push(l);
        for (const w of [...waiters]) if (w.pred(l)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(l));
      }
    };
  };
  proc.stdout?.on('data', splitter());
  proc.stderr?.on('data', splitter());
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    lines,
    exited,
    waitLine(pred, timeoutMs) {
      const hit = lines.find(pred);
      if (hit !== undefined) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (l: string) => (clearTimeout(t), resolve(l)) };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no matching line within ${timeoutMs} ms; last: ${lines.slice(-5).join(' | ')}`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
  };
}

export interface Pair {
  lan: Lan;
  vip: string;
  vip2: string;
  smtpHost: string;
  smtpPort: number;
  mails(): Mail[];
  waitMail(re: RegExp, timeoutMs: number): Promise<Mail>;
  client(vip?: string): LineProc & { samples(): Sample[] };
  peers: Peer[];
  /** Starts (or restarts) the HTTP server of a director. */
  http(node: 'a' | 'b'): Promise<LineProc>;
  killHttp(node: 'a' | 'b'): void;
  /**
   * Starts haldir (the ldirectord side of the director, memory backend) on a node:
   * virtual = VIP:80 with the node's own web server as real server, checked over HTTP.
   */
  director(node: 'a' | 'b'): LineProc;
  blockVrrp(node: string): Promise<void>;
  unblockVrrp(node: string): Promise<void>;
  mac(node: string): Promise<string>;
  /** The client's ARP entry for the VIP (lower-case MAC, or '' when none). */
  clientArp(vip?: string): Promise<string>;
  holders(vip?: string): Promise<string[]>;
  destroy(): Promise<void>;
}

export async function createPair(label: string): Promise<Pair> {
  const lan = await createLan(['a', 'b', 'c'], { label });
  const procs: LineProc[] = [];
  const dirs: string[] = [];
  const https: Partial<Record<'a' | 'b', LineProc>> = {};
  const peers: Peer[] = [];
  const vip = `${lan.subnet4}.100`;
  const vip2 = `${lan.subnet4}.101`;
  const smtpHost = lan.nodes.c!.ip4;
  const smtpPort = 2525;
  const spawnScript = (node: string, name: string, args: string[]): LineProc => {
    const p = lineProc(lan.spawn(node, process.execPath, [script(name), ...args]));
    procs.push(p);
    return p;
  };
  try {
    const smtp = spawnScript('c', 'smtp-sink', [smtpHost, String(smtpPort)]);
    await smtp.waitLine((l) => l === 'READY', 10_000);
    const mails = (): Mail[] => smtp.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Mail);
    const pair: Pair = {
      lan,
      vip,
      vip2,
      smtpHost,
      smtpPort,
      peers,
      mails,
      async waitMail(re, timeoutMs) {
        const l = await smtp.waitLine((x) => x.startsWith('{') && re.test((JSON.parse(x) as Mail).subject), timeoutMs);
        return JSON.parse(l) as Mail;
      },
      client(v = vip) {
        const p = spawnScript('c', 'client-loop', [v, '8080', '50']);
        return {
          ...p,
          samples: () =>
            p.lines.map((l) => {
              const [t, who] = l.split(' ');
              return { t: Number(t), who: who ?? '-' };
            }),
        };
      },
      async http(node) {
        const p = spawnScript(node, 'http-node', [node, '8080']);
        https[node] = p;
        await p.waitLine((l) => l === 'READY', 10_000);
        return p;
      },
      killHttp(node) {
        https[node]?.proc.kill('SIGKILL');
      },
      director(node) {
        const dir = mkdtempSync(join(tmpdir(), 'haldir-pair-'));
        dirs.push(dir);
        const cf = join(dir, 'ldirectord.cf');
        const lines = ['checkinterval=1', 'checktimeout=1', 'negotiatetimeout=1', 'quiescent=no', `virtual=${vip}:80`, '\treal=127.0.0.1:8080 gate 1'];
        lines.push('\tservice=http', '\tchecktype=negotiate', '\trequest="/"', `\treceive="${node}"`, '\tscheduler=rr', '');
        writeFileSync(cf, lines.join('\n'));
        const p = lineProc(lan.spawn(node, process.execPath, [HALDIR, '-d', '--backend', 'memory', '--pidfile', join(dir, 'haldir.pid'), cf, 'start']));
        procs.push(p);
        return p;
      },
      async blockVrrp(node) {
        // IP protocol 112 (VRRP) dropped on input: this director stops hearing the other.
        await lan.exec(node, 'nft', ['add table inet splitbrain; add chain inet splitbrain input { type filter hook input priority 0; }; add rule inet splitbrain input meta l4proto 112 drop']);
      },
      async unblockVrrp(node) {
        await lan.exec(node, 'nft', ['delete', 'table', 'inet', 'splitbrain']);
      },
      async mac(node) {
        const r = await lan.exec(node, 'cat', ['/sys/class/net/eth0/address']);
        return r.stdout.trim().toLowerCase();
      },
      async clientArp(v = vip) {
        const r = await lan.exec('c', 'ip', ['neigh', 'show', v]);
        return /lladdr\s+([0-9a-f:]+)/i.exec(r.stdout)?.[1]?.toLowerCase() ?? '';
      },
      async holders(v = vip) {
        const out: string[] = [];
        for (const n of ['a', 'b']) if ((await lan.addresses(n)).includes(v)) out.push(n);
        return out;
      },
      async destroy() {
        for (const p of peers) await stopPeer(p);
        for (const p of procs) p.proc.kill('SIGKILL');
        await Promise.all(procs.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 2000))])));
        await lan.destroy();
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
      },
    };
    await pair.http('a');
    await pair.http('b');
    return pair;
  } catch (e) {
    for (const p of procs) p.proc.kill('SIGKILL');
    await lan.destroy();
    throw e;
  }
}

/**
 * The longest stretch without an answer around `t0` (epoch ms): the gap between the last
 * answer at or before t0 and the next one after it, and every gap after that up to `until`.
 */
export function outageMs(samples: readonly Sample[], t0: number, until = Infinity): number {
  const ok = samples.filter((s) => s.who !== '-' && s.t <= until);
  const before = [...ok].reverse().find((s) => s.t <= t0);
  let prev = before?.t ?? t0;
  let worst = 0;
  for (const s of ok.filter((x) => x.t > t0)) {
    worst = Math.max(worst, s.t - prev);
    prev = s.t;
  }
  return worst;
}

/**
 * Runs `act` (a kill, a restart...) and returns the client's outage window around it,
 * once the client is answered by `expect` (and 300 ms more to close the window).
 */
export async function clientOutage(client: { samples(): Sample[] }, act: () => unknown, expect: string, timeoutMs = 8000): Promise<number> {
  const t0 = Date.now();
  await act();
  await until(() => lastAnswer(client.samples(), t0) === expect, timeoutMs, `the client answered by ${expect}`);
  await sleep(300);
  return outageMs(client.samples(), t0);
}

/** Who answered last (after `since`), or '' if nobody did. */
export function lastAnswer(samples: readonly Sample[], since = 0): string {
  return [...samples].reverse().find((s) => s.t >= since && s.who !== '-')?.who ?? '';
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string, stepMs = 100): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await cond()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

export interface CfInstance {
  name: string;
  vrid: number;
  priority: number;
  state?: 'MASTER' | 'BACKUP';
  version?: 2 | 3;
  advertInt?: number;
  vips: string[];
  extra?: string[];
}

/** vrrp.cf for one director of the pair. */
export function pairCf(routerId: string, globalExtra: string[], instances: CfInstance[], sections: string[] = []): string {
  const l = ['[global]', `router_id = ${routerId}`, ...globalExtra, '', ...sections, ''];
  for (const i of instances) {
    l.push(`[vrrp_instance ${i.name}]`, `state = ${i.state ?? 'BACKUP'}`, 'interface = eth0', `virtual_router_id = ${i.vrid}`, `priority = ${i.priority}`);
    l.push(`advert_int = ${i.advertInt ?? 1}`, `version = ${i.version ?? 2}`);
    if ((i.version ?? 2) === 2) l.push('auth_type = PASS', 'auth_pass = pair1234');
    for (const v of i.vips) l.push(`virtual_ipaddress[] = ${v.includes('/') ? v : `${v}/24`}`);
    l.push('garp_master_repeat = 1', 'garp_master_delay = 1', ...(i.extra ?? []), '');
  }
  return l.join('\n');
}
