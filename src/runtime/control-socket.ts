// A daemon's root-only control socket (beside its pid file, mode 0600): `haldir status
// -v` and `haldir-vrrp status -v` ask the running daemon for its live state instead of
// guessing from files. One JSON request line in, one JSON document out, then close.
import { createServer, createConnection, type Server } from 'node:net';
import { chmodSync, rmSync } from 'node:fs';

export type ControlRequest = { readonly cmd: 'status' } | { readonly cmd: 'dump' };

export class ControlServer {
  private server: Server | undefined;
  constructor(
    private readonly path: string,
    private readonly handle: (req: ControlRequest) => unknown,
  ) {}

  async listen(): Promise<void> {
    rmSync(this.path, { force: true });
    const server = createServer((sock) => {
      let buf = '';
      sock.setTimeout(5000, () => sock.destroy());
      sock.on('error', () => {});
      sock.on('data', (d) => {
        buf += d.toString('utf8');
        if (buf.length > 4096) return void sock.destroy();
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        let reply: unknown;
        try {
          const req = JSON.parse(buf.slice(0, nl)) as ControlRequest;
          reply = this.handle(req);
        } catch (e) {
          reply = { error: e instanceof Error ? e.message : String(e) };
        }
        sock.end(JSON.stringify(reply) + '\n');
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    chmodSync(this.path, 0o600);
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
    rmSync(this.path, { force: true });
  }
}

/** Sends one request; `what` names the daemon in error messages ("is haldir running?"). */
export function controlRequest(path: string, req: ControlRequest, timeoutMs = 3000, what = 'the daemon'): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = '';
    const t = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer from ${what} on ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('connect', () => sock.write(JSON.stringify(req) + '\n'));
    sock.on('data', (d) => (buf += d.toString('utf8')));
    sock.on('error', (e) => {
      clearTimeout(t);
      reject(new Error(`cannot reach ${what} on ${path} (${e.message}); is it running with this config?`));
    });
    sock.on('end', () => {
      clearTimeout(t);
      try {
        resolve(JSON.parse(buf));
      } catch (e) {
        reject(e);
      }
    });
  });
}
