// getservbyname(3) over /etc/services, which Node does not expose: ldirectord resolves
// port names (virtual=HOST:http, real=...:https, fallback) through it.
import { readFileSync } from 'node:fs';

export interface ServiceEntry {
  readonly port: number;
  readonly protocol: string;
}

export type ServicesTable = ReadonlyMap<string, readonly ServiceEntry[]>;

/** Parses services(5) text: `name port/proto [aliases...] [# comment]`. */
export function parseServices(text: string): ServicesTable {
  const table = new Map<string, ServiceEntry[]>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, pp, ...aliases] = line.split(/\s+/);
    const m = /^(\d+)\/(\w+)$/.exec(pp ?? '');
    if (!name || !m) continue;
    const entry = { port: parseInt(m[1]!, 10), protocol: m[2]! };
    for (const n of [name, ...aliases]) {
      const list = table.get(n) ?? [];
      list.push(entry);
      table.set(n, list);
    }
  }
  return table;
}

/** getservbyname(name, proto): first entry in file order; proto '' matches any protocol. */
export function lookupService(table: ServicesTable, name: string, protocol: string): number | undefined {
  const list = table.get(name);
  if (!list) return undefined;
  const hit = list.find((e) => protocol === '' || e.protocol === protocol);
  return hit?.port;
}

export function readServicesFile(path = '/etc/services'): ServicesTable {
  try {
    return parseServices(readFileSync(path, 'utf8'));
  } catch {
    return new Map();
  }
}
