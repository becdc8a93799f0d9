// Hostile real servers for the soak bench and test, run as their own process so their
// CPU and sockets stay out of the checker's figures. Usage:
//   node hostile-farm.js OCTET2 COUNT_PER_KIND
// Each kind gets COUNT addresses 127.OCTET2.K.(1..COUNT) with an OS-chosen port, and the
// farm prints one JSON line {"silent":[[host,port],...],"endless":...,"bomb":...,
// "tlsStall":...} when listening, then runs until stdin closes:
//   silent    accepts and never says a word (an HTTP check's timeout)
//   endless   200 OK and a body that never ends (the 1 MiB read cap)
//   bomb      200 OK and one ~1 MB line "status status ..." (a backtracking receive regex)
//   tlsStall  accepts and never answers the TLS ClientHello (a stalled handshake)
import net from 'node:net';
import { createInterface } from 'node:readline';

const [octet2, count] = process.argv.slice(2).map(Number) as [number, number];
const KINDS = ['silent', 'endless', 'bomb', 'tlsStall'] as const;
type Kind = (typeof KINDS)[number];
const BOMB_BODY = Buffer.from('status '.repeat(149_000));
const BOMB = Buffer.concat([
  Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BOMB_BODY.length}\r\nConnection: close\r\n\r\n`),
  BOMB_BODY,
]);
const CHUNK = Buffer.alloc(64 * 1024, 'z');

function onSocket(kind: Kind, s: net.Socket): void {
  s.on('error', () => undefined);
  if (kind === 'silent' || kind === 'tlsStall') return void s.resume();
  s.once('data', () => {
    if (kind === 'bomb') return void s.end(BOMB);
    s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n');
    const pump = (): void => {
      while (!s.destroyed && s.write(CHUNK));
    };
    s.on('drain', pump);
    pump();
  });
}

async function main(): Promise<void> {
  const out: Record<string, [string, number][]> = {};
  const servers: net.Server[] = [];
  for (const [k, kind] of KINDS.entries()) {
    out[kind] = [];
    for (let i = 0; i < count; i++) {
      const host = `127.${octet2}.${k}.${i + 1}`;
      const srv = net.createServer((s) => onSocket(kind, s));
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ host, port: 0, backlog: 511 }, () => resolve());
      });
      out[kind].push([host, (srv.address() as net.AddressInfo).port]);
    }
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  const rl = createInterface({ input: process.stdin });
  rl.on('close', () => process.exit(0));
}

main().catch((e: unknown) => {
  process.stderr.write(`hostile-farm: ${(e as Error).message}\n`);
  process.exit(1);
});
