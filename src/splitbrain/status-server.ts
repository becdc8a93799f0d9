// status_listen = ip:port: a tiny read-only HTTP endpoint the peer director polls.
// GET /vrrp/status?instance=NAME&nonce=HEX answers the JSON StatusDocument for that
// instance, with the nonce, the instance and our wall-clock time inside it, signed with
// status_secret (status-document.ts); anything else is 400/404/405. It binds only where
// the operator says (off by default) and never accepts input beyond the query.

import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { HostPort } from '../vrrp-config/model.js';
import { SIGNATURE_HEADER, STATUS_PATH, isValidInstanceName, isValidNonce, signStatusBody } from './status-document.js';
import type { StatusDocument } from './status-document.js';

export class StatusListenError extends Error {
  readonly code = 'SB-STATUS-LISTEN';
  constructor(at: HostPort, cause: string) {
    super(
      `SB-STATUS-LISTEN: cannot listen on ${formatHostPort(at)} (${cause}); check status_listen names an address of this host and a free port` +
        (cause === 'EADDRINUSE' ? ` (ss -ltnp 'sport = :${at.port}' shows who holds it)` : ''),
    );
  }
}

export function formatHostPort(h: HostPort): string {
  return h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`;
}

export interface StatusServerDeps {
  /** The document, all instances (filtered here to the one asked for). */
  readonly document: () => StatusDocument;
  /** status_secret of the moment (reload may change it); undefined = answers unsigned. */
  readonly secret: () => string | undefined;
  /** Wall clock, ms since the epoch (the injected Clock's wallNow). */
  readonly wallNow: () => number;
}

/** The body and signature for one request; pure, for the tests and the handler. */
export function statusAnswer(doc: StatusDocument, instance: string, nonce: string, time: number, secret: string | undefined): { body: string; signature?: string } {
  const body = JSON.stringify({ ...doc, instance, nonce, time, instances: doc.instances.filter((i) => i.name === instance) });
  return secret === undefined ? { body } : { body, signature: signStatusBody(body, secret) };
}

export function serveStatusDocument(at: HostPort, deps: StatusServerDeps): Promise<Server> {
  const srv = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://status.invalid');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname !== STATUS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`try ${STATUS_PATH}?instance=NAME&nonce=HEX\n`);
      return;
    }
    const instance = url.searchParams.get('instance') ?? '';
    const nonce = url.searchParams.get('nonce') ?? '';
    if (!isValidInstanceName(instance) || !isValidNonce(nonce)) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('instance=NAME and nonce=32 hex digits are required\n');
      return;
    }
    const a = statusAnswer(deps.document(), instance, nonce, deps.wallNow(), deps.secret());
    const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    if (a.signature) headers[SIGNATURE_HEADER] = a.signature;
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : a.body);
  });
  srv.keepAliveTimeout = 1000;
  // A client that connects and sends nothing is dropped, not kept.
  srv.headersTimeout = 2000;
  srv.requestTimeout = 2000;
  return new Promise((resolve, reject) => {
    srv.once('error', (e: NodeJS.ErrnoException) => reject(new StatusListenError(at, e.code ?? e.message)));
    srv.listen(at.port, at.host, () => resolve(srv));
  });
}
