// negotiate http/https/http_proxy against real Node servers on loopback (127.0.0.1, ::1).
import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { check } from '../../src/checks/services/http.js';
import { buildTarget } from '../../src/checks/target.js';
import type { ServiceCheckContext } from '../../src/checks/types.js';
import type { RealServer, VirtualService } from '../../src/config/model.js';
import {
  closedPort, makeReal, makeVirtual, selfSignedCert, startHttp, startHttps, startSilent, startTcp, type Served,
} from './fixtures.js';

function ctxOf(v: Partial<VirtualService>, r: Partial<RealServer>): ServiceCheckContext {
  const real = makeReal(r);
  return buildTarget(makeVirtual({ ...v, reals: [real] }), real, 'testhost').ctx;
}

async function run(ctx: ServiceCheckContext, timeoutMs = 2000): Promise<ReturnType<typeof check>> {
  return check(ctx, AbortSignal.timeout(timeoutMs));
}

describe('negotiate http', () => {
  const seen: { method: string; url: string; host: string | undefined }[] = [];
  let srv: Served;
  before(async () => {
    srv = await startHttp((req: http.IncomingMessage, res: http.ServerResponse) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host });
      const u = req.url ?? '/';
      if (u === '/ok') res.end('all systems OK');
      else if (u === '/chunked') {
        res.write('part one, ');
        setTimeout(() => res.end('part two: HEALTHY'), 20);
      } else if (u === '/error') {
        res.statusCode = 503;
        res.statusMessage = 'Service Unavailable';
        res.end('down for maintenance');
      } else if (u === '/redir-rel') {
        res.writeHead(302, { location: 'ok' });
        res.end();
      } else if (u.startsWith('/loop')) {
        const n = Number(u.slice(5) || '0');
        res.writeHead(301, { location: `/loop${n + 1}` });
        res.end();
      } else if (u.startsWith('/hops')) {
        // /hopsN redirects N times, then answers
        const n = Number(u.slice(5));
        if (n > 0) res.writeHead(302, { location: `/hops${n - 1}` }).end();
        else res.end('arrived');
      } else if (u === '/big') {
        res.end(Buffer.alloc(2 * 1024 * 1024, 'x'));
      } else if (u === '/endless') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const t = setInterval(() => res.write('y'.repeat(16384)), 1);
        res.on('close', () => clearInterval(t));
      } else {
        res.end('root');
      }
    });
  });
  after(() => srv.close());

  const v = (over: Partial<VirtualService> = {}): Partial<VirtualService> => over;
  const r = (request: string, receive = '', over: Partial<RealServer> = {}): Partial<RealServer> => ({
    address: '127.0.0.1', port: srv.port, request, receive, ownRequest: true, ...over,
  });

  it('is up on 200 with a matching receive, sending GET /path HTTP/1.1 and Host = real IP', async () => {
    seen.length = 0;
    const res = await run(ctxOf(v(), r('/ok', 'systems OK')));
    assert.equal(res.ok, true, res.message);
    assert.equal(res.message, '200 OK');
    assert.deepEqual(seen, [{ method: 'GET', url: '/ok', host: '127.0.0.1' }]);
  });

  it('uses the virtualhost as Host header and HEAD when httpmethod=HEAD', async () => {
    seen.length = 0;
    const res = await run(ctxOf(v({ virtualhost: 'www.example.test', httpmethod: 'HEAD' }), r('/ok')));
    assert.equal(res.ok, true, res.message);
    assert.deepEqual(seen, [{ method: 'HEAD', url: '/ok', host: 'www.example.test' }]);
  });

  it('decodes chunked bodies before matching receive', async () => {
    const res = await run(ctxOf(v(), r('/chunked', 'one, part two: HEALTHY$')));
    assert.equal(res.ok, true, res.message);
  });

  it('is down on a receive mismatch, with the body as message (as ldirectord logs it)', async () => {
    const res = await run(ctxOf(v(), r('/ok', 'NOT THERE')));
    assert.equal(res.ok, false);
    assert.equal(res.message, 'all systems OK');
  });

  it('matches receive as a Perl regex', async () => {
    assert.equal((await run(ctxOf(v(), r('/ok', '\\bsystems\\s+OK\\z')))).ok, true);
    assert.equal((await run(ctxOf(v(), r('/ok', '^systems')))).ok, false);
  });

  it('is down on a non-2xx status, with the status line as message', async () => {
    const res = await run(ctxOf(v(), r('/error')));
    assert.equal(res.ok, false);
    assert.equal(res.message, '503 Service Unavailable');
  });

  it('follows relative redirects, up to 7 (LWP max_redirect), not 8', async () => {
    assert.equal((await run(ctxOf(v(), r('/redir-rel', 'systems')))).ok, true);
    const seven = await run(ctxOf(v(), r('/hops7', 'arrived')));
    assert.equal(seven.ok, true, seven.message);
    const eight = await run(ctxOf(v(), r('/hops8', 'arrived')));
    assert.equal(eight.ok, false);
    assert.match(eight.message, /^302 /);
    const loop = await run(ctxOf(v(), r('/loop')));
    assert.equal(loop.ok, false);
    assert.match(loop.message, /^301 /);
  });

  it('uses a real request starting with http:// as the whole URL', async () => {
    seen.length = 0;
    const res = await run(ctxOf(v(), r(`http://127.0.0.1:${srv.port}/ok`, 'OK', { port: 1 })));
    assert.equal(res.ok, true, res.message);
    assert.equal(seen[0]?.url, '/ok');
  });

  it('honours checkport over the real port', async () => {
    const res = await run(ctxOf(v({ checkport: srv.port }), r('/ok', 'OK', { port: 9 })));
    assert.equal(res.ok, true, res.message);
  });

  it('is down when nothing listens (connection refused), with an LWP-like message', async () => {
    const port = await closedPort();
    const res = await run(ctxOf(v(), r('/', '', { port })));
    assert.equal(res.ok, false);
    assert.equal(res.message, `500 Can't connect to 127.0.0.1:${port} (Connection refused)`);
  });

  it('fails a body over the 1 MiB cap instead of buffering it', async () => {
    const res = await run(ctxOf(v(), r('/big')));
    assert.equal(res.ok, false);
    assert.match(res.message, /larger than 1048576 bytes/);
  });

  it('cuts an endless body off (cap or timeout), well before the timeout when the cap trips', async () => {
    const t0 = performance.now();
    const res = await run(ctxOf(v(), r('/endless')), 5000);
    assert.equal(res.ok, false);
    assert.match(res.message, /larger than|Timeout Alarm/);
    assert.ok(performance.now() - t0 < 5000);
  });

  it('times out on a server that accepts and never answers', async () => {
    const silent = await startSilent();
    try {
      const t0 = performance.now();
      const res = await run(ctxOf(v(), r('/', '', { port: silent.port })), 300);
      assert.equal(res.ok, false);
      assert.equal(res.message, '500 Timeout Alarm');
      assert.ok(performance.now() - t0 < 2000);
    } finally {
      await silent.close();
    }
  });

  it('handles read-until-close bodies and garbage status lines', async () => {
    const raw = await startTcp((s) => {
      s.once('data', (d) => {
        if (d.toString().startsWith('GET /close')) s.end('HTTP/1.0 200 OK\r\nServer: old\r\n\r\nclose-delimited body');
        else s.end('SSH-2.0-OpenSSH\r\n\r\n');
      });
    });
    try {
      assert.equal((await run(ctxOf(v(), r('/close', 'delimited', { port: raw.port })))).ok, true);
      const bad = await run(ctxOf(v(), r('/x', '', { port: raw.port })));
      assert.equal(bad.ok, false);
      assert.match(bad.message, /malformed status line/);
    } finally {
      await raw.close();
    }
  });

  it('skips 100 Continue and stops at Content-Length on a kept-alive connection', async () => {
    const raw = await startTcp((s) => {
      s.once('data', () => s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'));
    });
    try {
      const res = await run(ctxOf(v(), r('/', 'hello', { port: raw.port })));
      assert.equal(res.ok, true, res.message);
    } finally {
      await raw.close();
    }
  });
});

describe('negotiate http over IPv6', () => {
  it('connects to ::1 and sends Host: [::1]', async () => {
    let host: string | undefined;
    const srv = await startHttp((req, res) => {
      host = req.headers.host;
      res.end('v6 ok');
    }, '::1');
    try {
      const res = await run(ctxOf(makeVirtual({ address: '::1' }), { address: '::1', port: srv.port, receive: 'v6' }));
      assert.equal(res.ok, true, res.message);
      assert.equal(host, '[::1]');
    } finally {
      await srv.close();
    }
  });
});

describe('negotiate https', () => {
  it('ignores the self-signed certificate, sends SNI = virtualhost, matches the body', async () => {
    let sni: string | undefined;
    const cert = selfSignedCert();
    const srv = await startHttps((req, res) => {
      sni = (req.socket as import('node:tls').TLSSocket).servername || undefined;
      res.end(`secure ${req.headers.host}`);
    }, cert);
    try {
      const ok = await run(ctxOf({ service: 'https', port: 443, virtualhost: 'shop.example.test' }, { port: srv.port, receive: 'secure shop' }));
      assert.equal(ok.ok, true, ok.message);
      assert.equal(sni, 'shop.example.test');
      const mismatch = await run(ctxOf({ service: 'https', port: 443 }, { port: srv.port, receive: 'nope' }));
      assert.equal(mismatch.ok, false);
      assert.equal(mismatch.message, 'secure 127.0.0.1');
    } finally {
      await srv.close();
    }
  });

  it('works over ::1 without sending an IP literal as SNI', async () => {
    let sni: string | false | null | undefined;
    const srv = await startHttps((req, res) => {
      sni = (req.socket as import('node:tls').TLSSocket).servername;
      res.end('v6 secure');
    }, selfSignedCert(), '::1');
    try {
      const res = await run(ctxOf({ service: 'https', port: 443, address: '::2' }, { address: '::1', port: srv.port, receive: 'v6 secure' }));
      assert.equal(res.ok, true, res.message);
      assert.ok(!sni, `no SNI expected, got ${String(sni)}`);
    } finally {
      await srv.close();
    }
  });

  it('times out on a stalled TLS handshake', async () => {
    const silent = await startSilent();
    try {
      const res = await run(ctxOf({ service: 'https', port: 443 }, { port: silent.port }), 300);
      assert.equal(res.ok, false);
      assert.equal(res.message, '500 Timeout Alarm');
    } finally {
      await silent.close();
    }
  });

  it('is down when the https port is closed', async () => {
    const port = await closedPort();
    const res = await run(ctxOf({ service: 'https', port: 443 }, { port }));
    assert.equal(res.ok, false);
    assert.match(res.message, /Connection refused/);
  });
});

describe('negotiate http_proxy', () => {
  it('sends the absolute URL to the real (the proxy) and judges the proxied answer', async () => {
    const seen: string[] = [];
    const proxy = await startHttp((req, res) => {
      seen.push(`${req.method} ${req.url} host=${req.headers.host}`);
      if (req.url === 'http://origin.example.test/health') res.end('origin healthy');
      else {
        res.statusCode = 502;
        res.statusMessage = 'Bad Gateway';
        res.end();
      }
    });
    try {
      const vs: Partial<VirtualService> = { service: 'http_proxy', port: 3128, request: '/http://origin.example.test/health', receive: 'healthy' };
      const good = await run(ctxOf(vs, { port: proxy.port, request: '/http://origin.example.test/health', receive: 'healthy', ownRequest: false }));
      assert.equal(good.ok, true, good.message);
      assert.deepEqual(seen, ['GET http://origin.example.test/health host=origin.example.test']);
      const bad = await run(ctxOf(vs, { port: proxy.port, request: '/http://other.example.test/', ownRequest: false }));
      assert.equal(bad.ok, false);
      assert.equal(bad.message, '502 Bad Gateway');
    } finally {
      await proxy.close();
    }
  });

  it('refuses a relative request like LWP does (400 URL must be absolute)', async () => {
    const res = await run(ctxOf({ service: 'http_proxy', port: 3128 }, { port: 1, request: '/health', ownRequest: false }));
    assert.equal(res.ok, false);
    assert.equal(res.message, '400 URL must be absolute');
  });

  it('times out on a proxy that accepts and never answers', async () => {
    const silent = await startSilent();
    try {
      const res = await run(ctxOf({ service: 'http_proxy', port: 3128 }, { port: silent.port, request: '/http://origin.example.test/', ownRequest: false }), 300);
      assert.equal(res.ok, false);
      assert.equal(res.message, '500 Timeout Alarm');
    } finally {
      await silent.close();
    }
  });

  it('is down when the proxy is stopped', async () => {
    const port = await closedPort();
    const res = await run(ctxOf({ service: 'http_proxy', port: 3128 }, { port, request: '/http://origin.example.test/', ownRequest: false }));
    assert.equal(res.ok, false);
    assert.match(res.message, /Connection refused/);
  });
});
