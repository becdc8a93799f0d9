// The I/O around the pure parser: reads the file, learns which host names the config
// needs (a first parse with a recording resolver), resolves them with dns.lookup
// (getaddrinfo, as ldirectord's Socket6 does) and service names from /etc/services,
// then parses again with everything known.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { hostname as osHostname } from 'node:os';
import { dirname } from 'node:path';
import type { AddressFamily, ParseResult } from './model.js';
import type { ConfigResolver } from './resolver.js';
import { parseLdirectordCf } from './parse.js';
import { lookupService, readServicesFile, type ServicesTable } from './services-file.js';
import { fileModeOf } from './secret-file.js';

export type HostLookup = (name: string, family: AddressFamily) => Promise<string | undefined>;

export interface LoadOptions {
  /** Like ldirectord -d: the logfile is not opened at parse time. */
  readonly debug?: boolean;
  readonly servicesFile?: string;
  readonly hostname?: string;
  readonly lookupHost?: HostLookup;
  /** Per-name DNS timeout (ms). */
  readonly dnsTimeoutMs?: number;
}

export const dnsLookupHost: HostLookup = async (name, family) => {
  try {
    const r = await lookup(name, { family: family === 'inet' ? 4 : 6 });
    return r.family === (family === 'inet' ? 4 : 6) ? r.address : undefined;
  } catch {
    return undefined;
  }
};

function appendError(path: string): string | undefined {
  // open(">>path") without creating the file: ldirectord's check, kept side-effect free.
  if (path === '') return 'No such file or directory';
  try {
    const st = statSync(path);
    if (st.isDirectory()) return 'Is a directory';
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES') return 'Permission denied';
    if (code !== 'ENOENT') return String((e as Error).message);
  }
  try {
    const dir = statSync(dirname(path));
    if (!dir.isDirectory()) return 'Not a directory';
    accessSync(dirname(path), constants.W_OK);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EACCES' ? 'Permission denied' : 'No such file or directory';
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A resolver over caches; names not yet known are recorded for the next round. */
function cachingResolver(hosts: Map<string, string | undefined>, services: ServicesTable, host: string, wanted: Set<string>): ConfigResolver {
  return {
    host: (name, family) => {
      const key = `${family} ${name}`;
      if (!hosts.has(key)) wanted.add(key);
      return hosts.get(key);
    },
    service: (name, protocol) => lookupService(services, name, protocol),
    hostname: () => host,
    isDirectory,
    appendError,
    fileMode: fileModeOf,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(fallback), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(fallback);
      },
    );
  });
}

/** Parses text that came from `file`, resolving names on the way. */
export async function parseLdirectordCfText(text: string, file: string, opts: LoadOptions = {}): Promise<ParseResult> {
  const services = readServicesFile(opts.servicesFile);
  const host = opts.hostname ?? process.env['HOSTNAME'] ?? osHostname();
  const lookupHost = opts.lookupHost ?? dnsLookupHost;
  const hosts = new Map<string, string | undefined>();
  for (let round = 0; ; round++) {
    const wanted = new Set<string>();
    const result = parseLdirectordCf(text, { file, resolver: cachingResolver(hosts, services, host, wanted), debug: opts.debug ?? false });
    if (wanted.size === 0 || round >= 4) return result;
    await Promise.all(
      [...wanted].map(async (key) => {
        const sp = key.indexOf(' ');
        const family = key.slice(0, sp) as AddressFamily;
        hosts.set(key, await withTimeout(lookupHost(key.slice(sp + 1), family), opts.dnsTimeoutMs ?? 5000, undefined));
      }),
    );
  }
}

/** Reads and parses an ldirectord.cf. A missing or unreadable file is an E-FILE diagnostic. */
export async function loadLdirectordCf(path: string, opts: LoadOptions = {}): Promise<ParseResult> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return {
      config: undefined,
      diagnostics: [{ severity: 'error', code: 'E-FILE', message: `can not open file ${path}: ${(e as Error).message}`, file: path, line: 0, column: 1 }],
    };
  }
  return parseLdirectordCfText(text, path, opts);
}
