// ipvsadm's text forms, both ways: ops -> command argv and `ipvsadm -R` restore lines
// (the `-S -n` syntax), and `ipvsadm -L -n`, `-L -n --thresholds`, `-S -n` -> IpvsTable.
// Layouts follow ipvsadm 1.31 (print_title / print_service_entry in ipvsadm.c):
//   service: "%-4s %s" proto + addr:port, or "FWM  %d" [" IPv6"], then " %s" scheduler,
//            " (flags)", " persistent %u", " mask %s", " pe %s", " ops"
//   dest:    "  -> %-28s %-7s %-6d %-10u %-10u"   (--thresholds: "%-10u %-10u %-10u %-10u")
import { addrPort, canonicalAddress, destKey, familyOf, serviceId } from './keys.js';
import { normalizeNetmask } from './normalize.js';
import { parseSchedFlags, renderSchedFlags } from './sched-flags.js';
import { IpvsError } from './types.js';
import type {
  IpvsDestination,
  IpvsForward,
  IpvsOp,
  IpvsService,
  IpvsTable,
  ServiceKey,
  ServiceSpec,
} from './types.js';

const FORWARD_SWITCH: Readonly<Record<IpvsForward, string>> = { gate: '-g', masq: '-m', ipip: '-i' };
const FORWARD_NAME: Readonly<Record<IpvsForward, string>> = { gate: 'Route', masq: 'Masq', ipip: 'Tunnel' };

/** "-t VIP:PORT", "-u [V6]:PORT", "-f 5" or "-f 5 -6" (ipvsadm's FMT_RULE svc_name). */
export function serviceArgs(key: ServiceKey): string[] {
  if (key.protocol === 'fwm') {
    return key.family === 'inet6' ? ['-f', String(key.fwmark), '-6'] : ['-f', String(key.fwmark)];
  }
  return [key.protocol === 'tcp' ? '-t' : '-u', addrPort(key.address ?? '', key.port)];
}

function serviceSpecArgs(s: ServiceSpec): string[] {
  const out = [...serviceArgs(s.key), '-s', s.scheduler];
  if (s.persistent !== undefined) {
    out.push('-p', String(s.persistent));
    if (s.netmask !== undefined) out.push('-M', s.netmask);
  }
  if (s.ops) out.push('-o');
  const flags = renderSchedFlags(s.schedFlags, s.scheduler);
  if (flags) out.push('-b', flags);
  return out;
}

function destArgs(key: ServiceKey, d: IpvsDestination): string[] {
  const out = [...serviceArgs(key), '-r', addrPort(d.address, d.port), FORWARD_SWITCH[d.forward], '-w', String(d.weight)];
  if (d.upperThreshold) out.push('-x', String(d.upperThreshold));
  if (d.lowerThreshold) out.push('-y', String(d.lowerThreshold));
  return out;
}

/** The arguments of the one ipvsadm command that performs this op (binary not included). */
export function opArgs(op: IpvsOp): string[] {
  switch (op.kind) {
    case 'add-service':
      return ['-A', ...serviceSpecArgs(op.service)];
    case 'edit-service':
      return ['-E', ...serviceSpecArgs(op.service)];
    case 'delete-service':
      return ['-D', ...serviceArgs(op.key)];
    case 'add-dest':
      return ['-a', ...destArgs(op.key, op.dest)];
    case 'edit-dest':
      return ['-e', ...destArgs(op.key, op.dest)];
    case 'delete-dest':
      return ['-d', ...serviceArgs(op.key), '-r', addrPort(op.dest.address, op.dest.port)];
  }
}

/** `ipvsadm -R` input: one command per line, same syntax as `ipvsadm -S -n`. */
export function renderRestore(ops: readonly IpvsOp[]): string {
  return ops.map((op) => opArgs(op).join(' ') + '\n').join('');
}

/** `ipvsadm -S -n` of a table (1.31 prints no thresholds in this form). */
export function renderSave(table: IpvsTable): string {
  let out = '';
  for (const s of sortServices(table.services)) {
    out += ['-A', ...serviceSpecArgs(s)].join(' ') + '\n';
    for (const d of sortDests(s.destinations)) {
      out += ['-a', ...serviceArgs(s.key), '-r', addrPort(d.address, d.port), FORWARD_SWITCH[d.forward], '-w', String(d.weight)].join(' ') + '\n';
    }
  }
  return out;
}

const LIST_HEADER = 'IP Virtual Server version 1.2.1 (size=4096)\n';

function serviceLine(s: IpvsService): string {
  let line =
    s.key.protocol === 'fwm'
      ? `FWM  ${s.key.fwmark}${s.key.family === 'inet6' ? ' IPv6' : ''}`
      : `${s.key.protocol.toUpperCase().padEnd(4)} ${addrPort(s.key.address ?? '', s.key.port)}`;
  line += ` ${s.scheduler}`;
  const flags = renderSchedFlags(s.schedFlags, s.scheduler);
  if (flags) line += ` (${flags})`;
  if (s.persistent !== undefined) {
    line += ` persistent ${s.persistent}`;
    if (s.netmask !== undefined) line += ` mask ${s.netmask}`;
  }
  if (s.ops) line += ' ops';
  return line + '\n';
}

/** `ipvsadm -L -n` (connection counters shown as 0). */
export function renderList(table: IpvsTable): string {
  let out = LIST_HEADER;
  out += 'Prot LocalAddress:Port Scheduler Flags\n';
  out += '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
  for (const s of sortServices(table.services)) {
    out += serviceLine(s);
    for (const d of sortDests(s.destinations)) {
      out += `  -> ${addrPort(d.address, d.port).padEnd(28)} ${FORWARD_NAME[d.forward].padEnd(7)} ${String(d.weight).padEnd(6)} ${'0'.padEnd(10)} ${'0'.padEnd(10)}\n`;
    }
  }
  return out;
}

/** `ipvsadm -L -n --thresholds`. */
export function renderThresholds(table: IpvsTable): string {
  let out = LIST_HEADER;
  out += `${'Prot LocalAddress:Port'.padEnd(33)} ${'Uthreshold'.padEnd(10)} ${'Lthreshold'.padEnd(10)} ${'ActiveConn'.padEnd(10)} ${'InActConn'.padEnd(10)}\n`;
  out += '  -> RemoteAddress:Port\n';
  for (const s of sortServices(table.services)) {
    out += serviceLine(s);
    for (const d of sortDests(s.destinations)) {
      out += `  -> ${addrPort(d.address, d.port).padEnd(28)} ${String(d.upperThreshold).padEnd(10)} ${String(d.lowerThreshold).padEnd(10)} ${'0'.padEnd(10)} ${'0'.padEnd(10)}\n`;
    }
  }
  return out;
}

// ---- ordering (libipvs ipvs_cmp_services / ipvs_cmp_dests) ----

function addressBytes(address: string): number[] {
  if (familyOf(address) === 'inet') return address.split('.').map(Number);
  const full = canonicalAddress(address);
  const [head, tail] = full.includes('::') ? full.split('::') : [full, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 255];
  });
}

function compareAddresses(a: string, b: string): number {
  const x = addressBytes(a);
  const y = addressBytes(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

export function compareServiceKeys(a: ServiceKey, b: ServiceKey): number {
  const fa = a.fwmark ?? 0;
  const fb = b.fwmark ?? 0;
  if (fa !== fb) return fa - fb;
  if (a.family !== b.family) return a.family === 'inet' ? -1 : 1;
  if (a.protocol !== b.protocol) return a.protocol < b.protocol ? -1 : 1;
  const c = compareAddresses(a.address ?? '0.0.0.0', b.address ?? '0.0.0.0');
  return c !== 0 ? c : a.port - b.port;
}

function sortServices(services: readonly IpvsService[]): IpvsService[] {
  return [...services].sort((a, b) => compareServiceKeys(a.key, b.key));
}

function sortDests(dests: readonly IpvsDestination[]): IpvsDestination[] {
  return [...dests].sort((a, b) => compareAddresses(a.address, b.address) || a.port - b.port);
}

// ---- parsing ----

const FORWARD_BY_NAME: Readonly<Record<string, IpvsForward>> = {
  Route: 'gate',
  Local: 'gate',
  Masq: 'masq',
  Tunnel: 'ipip',
};

function parseAddrPort(text: string, where: string): { address: string; port: number } {
  const m = /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(text) ?? /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(text);
  if (!m) throw new IpvsError('IPVSADM_PARSE', `cannot read address:port "${text}" in ${where}; run ipvsadm with -n`);
  return { address: canonicalAddress(m[1]!), port: Number(m[2]) };
}

interface MutableService {
  spec: ServiceSpec;
  dests: IpvsDestination[];
}

function parseServiceLine(line: string): ServiceSpec | undefined {
  let key: ServiceKey;
  let rest: string;
  const fwm = /^FWM\s+(\d+)( IPv6)?\s+(.*)$/.exec(line);
  const ip = /^(TCP|UDP)\s+(\S+)\s+(.*)$/.exec(line);
  if (fwm) {
    key = { protocol: 'fwm', family: fwm[2] ? 'inet6' : 'inet', address: undefined, port: 0, fwmark: Number(fwm[1]) };
    rest = fwm[3]!;
  } else if (ip) {
    const ap = parseAddrPort(ip[2]!, `service line "${line}"`);
    key = { protocol: ip[1] === 'TCP' ? 'tcp' : 'udp', family: familyOf(ap.address), address: ap.address, port: ap.port, fwmark: undefined };
    rest = ip[3]!;
  } else {
    return undefined;
  }
  const m = /^(\S+)(?: \(([^)]*)\))?(?: persistent (\d+))?(?: mask (\S+))?(?: pe (\S+))?( ops)?\s*$/.exec(rest);
  if (!m) throw new IpvsError('IPVSADM_PARSE', `cannot read service flags in "${line}"`);
  const scheduler = m[1]!;
  const persistent = m[3] === undefined ? undefined : Number(m[3]);
  return {
    key,
    scheduler,
    persistent,
    netmask: normalizeNetmask(key.family, persistent, m[4]),
    ops: m[6] !== undefined,
    schedFlags: parseSchedFlags(m[2], scheduler),
  };
}

function parseListing(text: string, kind: 'list' | 'thresholds'): MutableService[] {
  const services: MutableService[] = [];
  let current: MutableService | undefined;
  let skipping = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (line === '' || line.startsWith('IP Virtual Server version') || line.startsWith('Prot LocalAddress')) continue;
    if (/^\s+-> RemoteAddress:Port/.test(line)) continue;
    const dm = /^\s+->\s+(.*)$/.exec(line);
    if (dm && skipping) continue;
    if (dm) {
      if (!current) throw new IpvsError('IPVSADM_PARSE', `destination line outside any service: "${line}"`);
      const t = dm[1]!.split(/\s+/);
      const ap = parseAddrPort(t[0]!, `destination line "${line}"`);
      if (kind === 'thresholds') {
        if (t.length < 5 || !t.slice(1, 5).every((x) => /^\d+$/.test(x))) {
          throw new IpvsError('IPVSADM_PARSE', `cannot read thresholds in "${line}"`);
        }
        current.dests.push({ ...ap, forward: 'gate', weight: 0, upperThreshold: Number(t[1]), lowerThreshold: Number(t[2]) });
      } else {
        // 1.31 inserts a TunnelInfo column when a tunnel has GUE/GRE options.
        const weight = t.length >= 6 ? t[3] : t[2];
        const forward = FORWARD_BY_NAME[t[1] ?? ''];
        if (!forward || weight === undefined || !/^\d+$/.test(weight)) {
          throw new IpvsError('IPVSADM_PARSE', `cannot read destination in "${line}"`);
        }
        current.dests.push({ ...ap, forward, weight: Number(weight), upperThreshold: 0, lowerThreshold: 0 });
      }
      continue;
    }
    // SCTP services (ipvsadm 1.31 knows them; haldir's configs cannot name them) are
    // someone else's: skip them and their destinations rather than refuse the table.
    skipping = /^SCTP\s/.test(line);
    if (skipping) continue;
    const spec = parseServiceLine(line);
    if (!spec) throw new IpvsError('IPVSADM_PARSE', `unexpected line in ipvsadm output: "${line}"`);
    current = { spec, dests: [] };
    services.push(current);
  }
  return services;
}

function freeze(services: readonly MutableService[]): IpvsTable {
  return { services: services.map((s) => ({ ...s.spec, destinations: s.dests })) };
}

/** Parses `ipvsadm -L -n` (thresholds read as 0; merge --thresholds for them). */
export function parseList(text: string): IpvsTable {
  return freeze(parseListing(text, 'list'));
}

/** Parses `ipvsadm -L -n --thresholds`: service id -> dest key -> thresholds. */
export function parseThresholds(text: string): Map<string, Map<string, { upper: number; lower: number }>> {
  const out = new Map<string, Map<string, { upper: number; lower: number }>>();
  for (const s of parseListing(text, 'thresholds')) {
    const m = new Map<string, { upper: number; lower: number }>();
    for (const d of s.dests) m.set(destKey(d), { upper: d.upperThreshold, lower: d.lowerThreshold });
    out.set(serviceId(s.spec.key), m);
  }
  return out;
}

/** The table with thresholds taken from a parsed --thresholds listing. */
export function mergeThresholds(
  table: IpvsTable,
  thresholds: ReadonlyMap<string, ReadonlyMap<string, { upper: number; lower: number }>>,
): IpvsTable {
  return {
    services: table.services.map((s) => {
      const t = thresholds.get(serviceId(s.key));
      return {
        ...s,
        destinations: s.destinations.map((d) => {
          const x = t?.get(destKey(d));
          return x ? { ...d, upperThreshold: x.upper, lowerThreshold: x.lower } : d;
        }),
      };
    }),
  };
}

/** Parses one ipvsadm command's arguments (the -S / -R line syntax) into an op. */
export function parseCommandArgs(args: readonly string[]): IpvsOp {
  const where = `"${args.join(' ')}"`;
  let command: string | undefined;
  let key: Partial<{ protocol: 'tcp' | 'udp' | 'fwm'; address: string; port: number; fwmark: number; v6: boolean }> = {};
  let scheduler = 'wlc';
  let persistent: number | undefined;
  let netmask: string | undefined;
  let ops = false;
  let flagsText: string | undefined;
  let real: { address: string; port: number | undefined } | undefined;
  let forward: IpvsForward = 'gate';
  let weight = 1;
  let upper = 0;
  let lower = 0;
  const need = (i: number): string => {
    const v = args[i];
    if (v === undefined) throw new IpvsError('IPVSADM_PARSE', `option ${args[i - 1]} needs a value in ${where}`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    switch (a) {
      case '-A': case '-E': case '-D': case '-a': case '-e': case '-d':
        command = a;
        break;
      case '-t': case '-u': {
        const ap = parseAddrPort(need(++i), where);
        key = { protocol: a === '-t' ? 'tcp' : 'udp', address: ap.address, port: ap.port };
        break;
      }
      case '-f':
        key = { protocol: 'fwm', fwmark: Number(need(++i)) };
        break;
      case '-6':
        key = { ...key, v6: true };
        break;
      case '-s':
        scheduler = need(++i);
        break;
      case '-p': {
        const next = args[i + 1];
        if (next !== undefined && /^\d+$/.test(next)) {
          persistent = Number(next);
          i++;
        } else persistent = 300;
        break;
      }
      case '-M':
        netmask = need(++i);
        break;
      case '-o':
        ops = true;
        break;
      case '-b':
        flagsText = need(++i);
        break;
      case '-r': {
        const t = need(++i);
        const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(t) ?? /^([^:]+)(?::(\d+))?$/.exec(t);
        if (!m) throw new IpvsError('IPVSADM_PARSE', `cannot read real server "${t}" in ${where}`);
        real = { address: canonicalAddress(m[1]!), port: m[2] === undefined ? undefined : Number(m[2]) };
        break;
      }
      case '-g': forward = 'gate'; break;
      case '-m': forward = 'masq'; break;
      case '-i': forward = 'ipip'; break;
      case '-w': weight = Number(need(++i)); break;
      case '-x': upper = Number(need(++i)); break;
      case '-y': lower = Number(need(++i)); break;
      case '--tun-type': {
        // ipvsadm 1.31's -S prints `--tun-type ipip` on every tunnel destination
        // (print_tunnel_rule; IPIP is the kernel's default). GUE/GRE tunnels are not
        // something haldir (or ldirectord) configures, so they are refused, not dropped.
        const type = need(++i);
        if (type !== 'ipip') throw new IpvsError('IPVSADM_PARSE', `unsupported tunnel type "${type}" in ${where} (haldir manages ipip tunnels only)`);
        break;
      }
      default:
        throw new IpvsError('IPVSADM_PARSE', `unsupported ipvsadm option "${a}" in ${where}`);
    }
  }
  if (!command || !key.protocol) throw new IpvsError('IPVSADM_PARSE', `no command or service in ${where}`);
  const family = key.protocol === 'fwm' ? (key.v6 ? 'inet6' : 'inet') : familyOf(key.address ?? '');
  const sk: ServiceKey = {
    protocol: key.protocol,
    family,
    address: key.protocol === 'fwm' ? undefined : key.address,
    port: key.protocol === 'fwm' ? 0 : key.port ?? 0,
    fwmark: key.protocol === 'fwm' ? key.fwmark : undefined,
  };
  if (command === '-A' || command === '-E') {
    const service: ServiceSpec = {
      key: sk,
      scheduler,
      persistent,
      netmask: normalizeNetmask(family, persistent, netmask),
      ops,
      schedFlags: parseSchedFlags(flagsText, scheduler),
    };
    return { kind: command === '-A' ? 'add-service' : 'edit-service', service };
  }
  if (command === '-D') return { kind: 'delete-service', key: sk };
  if (!real) throw new IpvsError('IPVSADM_PARSE', `${command} needs -r in ${where}`);
  const port = real.port ?? sk.port;
  if (command === '-d') return { kind: 'delete-dest', key: sk, dest: { address: real.address, port } };
  const dest: IpvsDestination = { address: real.address, port, forward, weight, upperThreshold: upper, lowerThreshold: lower };
  return { kind: command === '-a' ? 'add-dest' : 'edit-dest', key: sk, dest };
}

/** Parses `ipvsadm -S -n` output into a table. */
export function parseSave(text: string): IpvsTable {
  const services = new Map<string, MutableService>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const op = parseCommandArgs(line.trim().split(/\s+/));
    if (op.kind === 'add-service') services.set(serviceId(op.service.key), { spec: op.service, dests: [] });
    else if (op.kind === 'add-dest') {
      const s = services.get(serviceId(op.key));
      if (!s) throw new IpvsError('IPVSADM_PARSE', `destination before its service in -S output: "${line}"`);
      s.dests.push(op.dest);
    } else throw new IpvsError('IPVSADM_PARSE', `unexpected command in -S output: "${line}"`);
  }
  return freeze([...services.values()]);
}
