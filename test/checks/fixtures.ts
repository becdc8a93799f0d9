// Config-model builders and loopback servers for the check tests.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RealServer, VirtualService } from '../../src/config/model.js';

const run = promisify(execFile);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function makeReal(over: Partial<Mutable<RealServer>> = {}): RealServer {
  return {
    address: '127.0.0.1',
    port: 80,
    forward: 'gate',
    weight: 1,
    request: '/',
    receive: '',
    ownRequest: false,
    lowerThreshold: 0,
    upperThreshold: 0,
    checkPort: undefined,
    source: { file: 'test.cf', line: 1 },
    ...over,
  };
}

export function makeVirtual(over: Partial<Mutable<VirtualService>> = {}): VirtualService {
  const address = over.address ?? '10.0.0.1';
  const port = over.port ?? 80;
  const protocol = over.protocol ?? 'tcp';
  const base: VirtualService = {
    id: `${protocol}:${address.includes(':') ? `[${address}]` : address}:${port}`,
    family: address.includes(':') ? 'inet6' : 'inet',
    protocol,
    address,
    port,
    fwmark: undefined,
    scheduler: 'wrr',
    persistent: undefined,
    netmask: undefined,
    schedflags: undefined,
    ops: false,
    service: 'http',
    check: { kind: 'negotiate' },
    checkport: undefined,
    request: '/',
    receive: '',
    httpmethod: 'GET',
    virtualhost: undefined,
    login: '',
    passwd: '',
    database: '',
    secret: '',
    checktimeout: 2,
    negotiatetimeout: 2,
    checkcount: 1,
    failurecount: 1,
    checkinterval: 1,
    quiescent: false,
    fallback: undefined,
    fallbackcommand: undefined,
    emailalert: [],
    emailalertfreq: 0,
    emailalertstatus: ['starting', 'running', 'stopping', 'reloading'],
    monitorfile: undefined,
    cleanstop: true,
    smtp: undefined,
    servicename: undefined,
    comment: undefined,
    reals: [makeReal()],
    source: { file: 'test.cf', line: 1 },
  };
  return { ...base, ...over };
}

export interface Served {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Closes a server and every socket it holds. */
function closer(srv: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      srv.close(() => resolve());
    });
}

function track(srv: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  srv.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

export async function listen(srv: net.Server, host: string, port = 0): Promise<Served> {
  const sockets = track(srv);
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, () => resolve());
  });
  return { host, port: (srv.address() as net.AddressInfo).port, close: closer(srv, sockets) };
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export function startHttp(handler: Handler, host = '127.0.0.1', port = 0): Promise<Served> {
  return listen(http.createServer(handler), host, port);
}

export function startHttps(handler: Handler, tlsCert: TlsCert, host = '127.0.0.1'): Promise<Served> {
  return listen(https.createServer({ key: tlsCert.key, cert: tlsCert.cert }, handler), host);
}

/** A raw TCP server: the handler owns the socket (hostile and simpletcp servers). */
export function startTcp(onSocket: (s: net.Socket) => void, host = '127.0.0.1'): Promise<Served> {
  return listen(net.createServer(onSocket), host);
}

/** Accepts and never says a word (also a stalled TLS handshake, seen from a TLS client). */
export function startSilent(host = '127.0.0.1'): Promise<Served> {
  return startTcp((s) => s.resume(), host);
}

/** A port on `host` where nothing listens (bound, then closed). */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const s = await startSilent(host);
  await s.close();
  return s.port;
}

export interface TlsCert {
  readonly key: string;
  readonly cert: string;
}

let cachedCert: TlsCert | undefined;
/** A throwaway self-signed certificate (openssl req), made once per test process. */
export function selfSignedCert(): TlsCert {
  if (cachedCert) return cachedCert;
  const dir = mkdtempSync(join(tmpdir(), 'haldir-checks-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=haldir-test',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    cachedCert = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    return cachedCert;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * A network namespace whose addresses swallow everything: a veth pair, the host end
 * 10.X.Y.1/24, the namespace end .2 plus a local route for .128/25, and an nftables
 * input policy of drop inside the namespace. TCP SYNs and ICMP echoes to .2 and
 * .128-.255 get no answer at all (the "blackholed" real). Needs root.
 */
export interface Blackhole {
  /** n distinct blackholed addresses (n <= 128). */
  addresses(n: number): string[];
  readonly ns: string;
  destroy(): Promise<void>;
}

let bhCount = 0;
export async function createBlackhole(): Promise<Blackhole> {
  const id = `hc${process.pid % 100000}b${bhCount++}`;
  const ns = id;
  const hostIf = `${id}h`;
  const nsIf = `${id}n`;
  const o2 = 200 + (process.pid % 50);
  const o3 = (process.pid >> 3) % 250 + bhCount;
  const net24 = `10.${o2}.${o3 % 250}`;
  const ip = (args: string[]): Promise<unknown> => run('ip', args, { timeout: 10_000 });
  const destroy = async (): Promise<void> => {
    await run('ip', ['link', 'del', hostIf]).catch(() => undefined);
    await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  };
  process.once('exit', () => {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      execFileSync('ip', ['link', 'del', hostIf], { stdio: 'ignore' });
    } catch {
      /* gone already */
    }
  });
  try {
    await ip(['netns', 'add', ns]);
    await ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', ns]);
    await ip(['addr', 'add', `${net24}.1/24`, 'dev', hostIf]);
    await ip(['link', 'set', hostIf, 'up']);
    await ip(['-n', ns, 'addr', 'add', `${net24}.2/24`, 'dev', nsIf]);
    await ip(['-n', ns, 'link', 'set', nsIf, 'up']);
    await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    await ip(['-n', ns, 'route', 'add', 'local', `${net24}.128/25`, 'dev', 'lo']);
    await run('ip', ['netns', 'exec', ns, 'nft', 'add table inet bh; add chain inet bh in { type filter hook input priority 0; policy drop; }'], { timeout: 10_000 });
  } catch (e) {
    await destroy();
    throw e;
  }
  return {
    ns,
    addresses: (n) => [`${net24}.2`, ...Array.from({ length: Math.max(0, n - 1) }, (_, i) => `${net24}.${128 + i}`)].slice(0, n),
    destroy,
  };
}

/** Waits until cond() holds, polling; throws after timeoutMs. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
