// Reusable network-namespace topologies for privileged tests: N nodes on one L2
// segment (a bridge living in its own namespace), each node's interface "eth0"
// addressed in a private /24 (and a ULA /64). Names are unique per process and per
// call, so parallel test files never collide; destroy() removes everything, and an
// exit hook removes what a crashed test left behind. Never touches the host's
// interfaces or routes: every device lives inside a namespace this helper created.

import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LanNode {
  name: string;
  /** Network namespace name. */
  ns: string;
  ifname: string;
  ip4: string;
  ip6: string;
  prefix4: number;
}

export interface Lan {
  id: string;
  bridgeNs: string;
  nodes: Record<string, LanNode>;
  subnet4: string;
  /** Runs a command inside a node's namespace; rejects on a non-zero exit. */
  exec(node: string, cmd: string, args: string[], opts?: { timeoutMs?: number }): Promise<{ stdout: string; stderr: string }>;
  /** Starts a long-running process inside a node's namespace. */
  spawn(node: string, cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** Addresses (inet/inet6, without prefix) currently on a node's interface. */
  addresses(node: string): Promise<string[]>;
  /** Takes the bridge side of a node's link down (or up): the node sees carrier loss. */
  setLinkUp(node: string, up: boolean): Promise<void>;
  /**
   * Detaches (or re-attaches) a node's port from the bridge: its link stays up but no
   * frame passes, like a firewall or a frozen switch port (lost adverts, split brain).
   */
  setIsolated(node: string, isolated: boolean): Promise<void>;
  destroy(): Promise<void>;
}

let counter = 0;
const live = new Set<string>();
let hooked = false;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export const rootSkipReason = 'needs root (network namespaces, raw sockets); CI runs as root';

async function ip(args: string[]): Promise<void> {
  await run('ip', args, { timeout: 10_000 });
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    // Synchronous last resort for namespaces a failing test did not destroy.
    for (const ns of live) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 5000 });
      } catch {
        /* ignore */
      }
    }
  });
}

/** Builds a LAN of the named nodes (e.g. ['a', 'b', 'client']). Needs root. */
export async function createLan(nodeNames: string[], opts: { label?: string } = {}): Promise<Lan> {
  hookExit();
  const id = `${opts.label ?? 'hl'}${process.pid % 100000}x${counter++}`;
  const o2 = 1 + (process.pid % 250);
  const o3 = 1 + ((counter * 7) % 250);
  const subnet4 = `10.${o2}.${o3}`;
  const bridgeNs = `${id}-br`;
  const nodes: Record<string, LanNode> = {};
  const created: string[] = [];
  const destroy = async (): Promise<void> => {
    for (const ns of created.reverse()) {
      await run('ip', ['netns', 'del', ns]).catch(() => undefined);
      live.delete(ns);
    }
    created.length = 0;
  };
  try {
    await ip(['netns', 'add', bridgeNs]);
    created.push(bridgeNs);
    live.add(bridgeNs);
    await ip(['-n', bridgeNs, 'link', 'add', 'br0', 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0']);
    await ip(['-n', bridgeNs, 'link', 'set', 'br0', 'up']);
    let i = 0;
    for (const n of nodeNames) {
      i++;
      const ns = `${id}-${n}`;
      await ip(['netns', 'add', ns]);
      created.push(ns);
      live.add(ns);
      // No duplicate address detection: a tentative link-local address cannot source
      // packets, and VRRPv3/IPv6 adverts come from the link-local address.
      await run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0'], { timeout: 10_000 });
      const port = `p${i}`;
      await ip(['link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', bridgeNs]);
      await ip(['-n', bridgeNs, 'link', 'set', port, 'master', 'br0', 'up']);
      const ip4 = `${subnet4}.${10 + i}`;
      const ip6 = `fd00:${o2.toString(16)}:${o3.toString(16)}::${(10 + i).toString(16)}`;
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      await ip(['-n', ns, 'addr', 'add', `${ip4}/24`, 'dev', 'eth0']);
      await ip(['-n', ns, 'addr', 'add', `${ip6}/64`, 'dev', 'eth0', 'nodad']);
      await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      nodes[n] = { name: n, ns, ifname: 'eth0', ip4, ip6, prefix4: 24 };
    }
  } catch (e) {
    await destroy();
    throw e;
  }
  const node = (n: string): LanNode => {
    const x = nodes[n];
    if (!x) throw new Error(`no node ${n} in LAN ${id}`);
    return x;
  };
  return {
    id,
    bridgeNs,
    nodes,
    subnet4,
    async exec(n, cmd, args, o = {}) {
      const r = await run('ip', ['netns', 'exec', node(n).ns, cmd, ...args], { timeout: o.timeoutMs ?? 15_000 });
      return { stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    spawn(n, cmd, args, o = {}) {
      return spawn('ip', ['netns', 'exec', node(n).ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...o });
    },
    async addresses(n) {
      const r = await run('ip', ['-n', node(n).ns, '-o', 'addr', 'show', 'dev', node(n).ifname]);
      return String(r.stdout)
        .split('\n')
        .map((l) => /\binet6?\s+([^\s/]+)/.exec(l)?.[1])
        .filter((a): a is string => !!a);
    },
    async setLinkUp(n, up) {
      await ip(['-n', bridgeNs, 'link', 'set', `p${nodeNames.indexOf(n) + 1}`, up ? 'up' : 'down']);
    },
    async setIsolated(n, isolated) {
      const port = `p${nodeNames.indexOf(n) + 1}`;
      await ip(['-n', bridgeNs, 'link', 'set', port, ...(isolated ? ['nomaster'] : ['master', 'br0'])]);
    },
    destroy,
  };
}
