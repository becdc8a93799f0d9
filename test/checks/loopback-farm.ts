// A farm of minimal HTTP servers on many loopback addresses, run as its own process so
// its CPU stays out of the checker's figures (scale test, bench). Usage:
//   node loopback-farm.js OCTET2 ADDRESSES PORTS_PER_ADDRESS BASE_PORT
// listens on 127.OCTET2.(i>>8).(i&255 + 1) ports BASE_PORT..BASE_PORT+PORTS-1, prints one
// JSON line {"reals":[[host,port],...]} when ready, then obeys stdin lines
// "fail N" / "ok N" (real N answers 503 / 200; replies "ack N"), "count" (replies
// "count TOTAL_REQUESTS") and "latency" (replies "latency {N: ms from 'fail N' to the
// first 503 served}") until stdin closes. The latency is each checker's detection time
// as seen from the server, the same yardstick for haldir, HAProxy and ldirectord.
import net from 'node:net';
import { createInterface } from 'node:readline';

const [octet2, addrCount, portCount, basePort] = process.argv.slice(2).map(Number) as [number, number, number, number];
const OK = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK');
const BAD = Buffer.from('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nDOWN');
const failing = new Map<number, number>(); // index -> time 'fail' arrived
const firstBad = new Map<number, number>(); // index -> ms from 'fail' to the first 503
let served = 0;
const reals: [string, number][] = [];
const servers: net.Server[] = [];

function serve(index: number): net.Server {
  return net.createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', () => {
      served++;
      const since = failing.get(index);
      if (since === undefined) return void s.end(OK);
      if (!firstBad.has(index)) firstBad.set(index, performance.now() - since);
      s.end(BAD);
    });
  });
}

async function main(): Promise<void> {
  const pending: Promise<void>[] = [];
  for (let a = 0; a < addrCount; a++) {
    const host = `127.${octet2}.${a >> 8}.${(a & 255) + 1}`;
    for (let p = 0; p < portCount; p++) {
      const index = reals.length;
      const port = basePort + p;
      reals.push([host, port]);
      const srv = serve(index);
      servers.push(srv);
      pending.push(new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ host, port, backlog: 511 }, () => resolve());
      }));
    }
  }
  await Promise.all(pending);
  process.stdout.write(`${JSON.stringify({ reals })}\n`);
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const [cmd, n] = line.trim().split(/\s+/);
    if (cmd === 'count') return void process.stdout.write(`count ${served}\n`);
    if (cmd === 'latency') return void process.stdout.write(`latency ${JSON.stringify(Object.fromEntries(firstBad))}\n`);
    if (cmd === 'fail') {
      failing.set(Number(n), performance.now());
      firstBad.delete(Number(n));
    } else if (cmd === 'ok') failing.delete(Number(n));
    process.stdout.write(`ack ${n}\n`);
  });
  rl.on('close', () => process.exit(0));
}

main().catch((e: unknown) => {
  process.stderr.write(`loopback-farm: ${(e as Error).message}\n`);
  process.exit(1);
});
