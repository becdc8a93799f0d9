// status_listen = ip:port: a tiny read-only HTTP endpoint the peer director polls.
// GET /vrrp/status answers the JSON StatusDocument; anything else is 404/405. It binds
// only where the operator says (off by default) and never accepts input.

import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { HostPort } from '../vrrp-config/model.js';
import { STATUS_PATH } from './status-document.js';
import type { StatusDocument } from './status-document.js';

export class StatusListenError extends Error {
  readonly code = 'SB-STATUS-LISTEN';
  constructor(at: HostPort, cause: string) {
    super(`SB-STATUS-LISTEN: cannot listen on ${formatHostPort(at)} (${cause}); check status_listen names an address of this host and a free port`);
  }
}

export function formatHostPort(h: HostPort): string {
  return h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`;
}

export function serveStatusDocument(at: HostPort, document: () => StatusDocument): Promise<Server> {
  const srv = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== STATUS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`try ${STATUS_PATH}\n`);
      return;
    }
    const body = JSON.stringify(document());
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
  });
  srv.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    srv.once('error', (e: NodeJS.ErrnoException) => reject(new StatusListenError(at, e.code ?? e.message)));
    srv.listen(at.port, at.host, () => resolve(srv));
  });
}
