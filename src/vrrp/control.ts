// `haldir-vrrp status -v` talks to the running daemon over a Unix socket beside the
// pid file (haldir-vrrp.CFGNAME.sock), created mode 0600 so only root reads it.
// One request per connection: the daemon writes its status as JSON and closes.

import { createServer, createConnection } from 'node:net';
import type { Server } from 'node:net';
import { chmodSync, rmSync } from 'node:fs';

export function serveStatus(path: string, status: () => unknown): Promise<Server> {
  rmSync(path, { force: true });
  const srv = createServer((c) => {
    c.on('error', () => undefined);
    c.end(`${JSON.stringify(status())}\n`);
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(path, () => {
      chmodSync(path, 0o600);
      resolve(srv);
    });
  });
}

export function queryStatus(path: string, timeoutMs = 3000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const c = createConnection(path);
    let buf = '';
    const t = setTimeout(() => {
      c.destroy();
      reject(new Error(`VRRP-STATUS: no answer from ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    c.on('data', (d) => (buf += d.toString('utf8')));
    c.on('error', (e) => {
      clearTimeout(t);
      reject(new Error(`VRRP-STATUS: cannot reach ${path} (${e.message}); is haldir-vrrp running with this config?`));
    });
    c.on('end', () => {
      clearTimeout(t);
      try {
        resolve(JSON.parse(buf));
      } catch (e) {
        reject(e);
      }
    });
  });
}
