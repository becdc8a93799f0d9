// Duplicate-address probe of a VIP we hold: does any other MAC answer for it?
// IPv4: iputils `arping -D -c 1 -w W -I DEV VIP` (RFC 5227 ARP probe: sender IP 0.0.0.0,
//   so it never rewrites a client's ARP cache, and a node holding the VIP answers it).
//   This works when VRRP itself (IP protocol 112) is filtered, because ARP is not IP.
// IPv6: ndisc6 `-1 -r 1 -w MS -n VIP DEV` (a Neighbour Solicitation to the solicited-node
//   group, RFC 4861 7.2.2): a node holding the VIP answers with its link-layer address.
// Our own interface never answers our own probe; a reply with our own MAC is still
// filtered out (a bridge reflecting frames back), so only *foreign* holders count.

import { readFileSync } from 'node:fs';
import { execFile } from '../runtime/exec.js';

export interface DuplicateProbeResult {
  /** Lower-case MACs, other than ours, that answered for the VIP. */
  readonly foreignMacs: readonly string[];
  /** Set when the probe could not run (the result then says nothing). */
  readonly error?: string;
}

export interface DuplicateProbe {
  probe(vip: string, dev: string): Promise<DuplicateProbeResult>;
}

export function arpingDadArgv(arpingPath: string, vip: string, dev: string, waitS: number): string[] {
  return [arpingPath, '-D', '-c', '1', '-w', String(Math.max(1, Math.round(waitS))), '-I', dev, vip];
}

export function ndisc6Argv(ndisc6Path: string, vip: string, dev: string, waitMs: number): string[] {
  return [ndisc6Path, '-1', '-r', '1', '-w', String(Math.max(100, Math.round(waitMs))), '-n', vip, dev];
}

const MAC = /([0-9a-f]{2}(?::[0-9a-f]{2}){5})/i;

/** `Unicast reply from 10.0.0.100 [DE:B5:12:2D:38:9A]  0.523ms` -> de:b5:12:2d:38:9a */
export function parseArpingReplies(stdout: string): string[] {
  return unique(stdout.split('\n').filter((l) => /reply from/i.test(l)).map((l) => /\[([^\]]+)\]/.exec(l)?.[1] ?? ''));
}

/** `Target link-layer address: DE:B5:12:2D:38:9A` -> de:b5:12:2d:38:9a */
export function parseNdisc6Replies(stdout: string): string[] {
  return unique(stdout.split('\n').filter((l) => /link-layer address/i.test(l)).map((l) => MAC.exec(l)?.[1] ?? ''));
}

function unique(macs: string[]): string[] {
  return [...new Set(macs.filter((m) => MAC.test(m)).map((m) => m.toLowerCase()))];
}

export function interfaceMac(dev: string): string | undefined {
  try {
    return readFileSync(`/sys/class/net/${dev}/address`, 'utf8').trim().toLowerCase();
  } catch {
    return undefined;
  }
}

export interface ToolProbeOptions {
  readonly arpingPath?: string;
  readonly ndisc6Path?: string;
  /** How long to wait for answers (arping rounds this up to whole seconds). */
  readonly waitMs?: number;
}

export function toolDuplicateProbe(o: ToolProbeOptions = {}): DuplicateProbe {
  const waitMs = o.waitMs ?? 1000;
  return {
    async probe(vip, dev) {
      const v6 = vip.includes(':');
      const argv = v6 ? ndisc6Argv(o.ndisc6Path ?? 'ndisc6', vip, dev, waitMs) : arpingDadArgv(o.arpingPath ?? 'arping', vip, dev, waitMs / 1000);
      const r = await execFile(argv, { timeoutMs: waitMs + 3000, maxOutput: 16_384 });
      if (r.error) {
        const pkg = v6 ? 'ndisc6' : 'iputils-arping';
        return { foreignMacs: [], error: `cannot run ${argv[0]} (${r.error}); install ${pkg}` };
      }
      // arping -D exits 1 when someone answered, 0 when nobody did; 2 = usage/interface error.
      // ndisc6 exits 0 with an answer, 2 on "No response".
      if (!v6 && r.code !== 0 && r.code !== 1) return { foreignMacs: [], error: `${argv.join(' ')} exited with ${r.code ?? r.signal}: ${r.stderr.trim()}` };
      const own = interfaceMac(dev);
      const macs = v6 ? parseNdisc6Replies(r.stdout) : parseArpingReplies(r.stdout);
      return { foreignMacs: macs.filter((m) => m !== own) };
    },
  };
}
