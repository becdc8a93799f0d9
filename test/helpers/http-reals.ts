// Real HTTP servers on loopback addresses, one per real server, that a test can stop and
// start again on the same address:port (a real server going down and coming back).
import { createServer, type Server } from 'node:http';

export class HttpReal {
  private server: Server | undefined;
  constructor(
    readonly host: string,
    readonly port: number,
    private body = 'OK haldir test page\n',
    private status = 200,
  ) {}

  get running(): boolean {
    return this.server !== undefined;
  }

  setResponse(status: number, body: string): void {
    this.status = status;
    this.body = body;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const s = createServer((req, res) => {
      res.writeHead(this.status, { 'content-type': 'text/plain', connection: 'close' });
      res.end(req.method === 'HEAD' ? undefined : this.body);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(this.port, this.host, () => resolve());
    });
    this.server = s;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

/** Finds a port free on every given loopback address (tries a few random ones). */
export async function freePortOn(hosts: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const servers: Server[] = [];
    try {
      for (const h of hosts) {
        const s = createServer();
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.listen(port, h, () => resolve());
        });
        servers.push(s);
      }
      return port;
    } catch {
      /* taken somewhere: try another */
    } finally {
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    }
  }
  throw new Error('no free port found');
}

export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await cond()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
