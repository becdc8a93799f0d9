// The probes against real things: arping -D and ndisc6 between two network namespaces
// holding the same VIP, ping of a live and a dead peer, and the status endpoint read
// by the got client (on loopback, and from another namespace across the test LAN).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server as TcpServer, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createLan, isRoot, rootSkipReason } from '../helpers/netns/lan.js';
import type { Lan } from '../helpers/netns/lan.js';
import { arpingDadArgv, ndisc6Argv, parseArpingReplies, parseNdisc6Replies } from '../../src/splitbrain/duplicate-probe.js';
import { serveStatusDocument, statusAnswer, StatusListenError } from '../../src/splitbrain/status-server.js';
import { gotStatusReader, statusUrl } from '../../src/splitbrain/status-client.js';
import { MAX_STATUS_BYTES, SIGNATURE_HEADER, escapePeerText, reportFor, signStatusBody } from '../../src/splitbrain/status-document.js';
import type { PeerStatus, StatusDocument } from '../../src/splitbrain/status-document.js';

const skip = isRoot() ? false : rootSkipReason;
const CLI = new URL('./helpers/probe-cli.js', import.meta.url).pathname;

async function probe(lan: Lan, node: string, ...args: string[]): Promise<unknown> {
  const r = await lan.exec(node, process.execPath, [CLI, ...args], { timeoutMs: 10_000 });
  return JSON.parse(r.stdout);
}

const mac = async (lan: Lan, node: string): Promise<string> => (await lan.exec(node, 'cat', ['/sys/class/net/eth0/address'])).stdout.trim();

test('tool output parsing and argv', () => {
  assert.deepEqual(arpingDadArgv('arping', '10.0.0.100', 'eth0', 1), ['arping', '-D', '-c', '1', '-w', '1', '-I', 'eth0', '10.0.0.100']);
  assert.deepEqual(ndisc6Argv('ndisc6', 'fd00::100', 'eth0', 1000), ['ndisc6', '-1', '-r', '1', '-w', '1000', '-n', 'fd00::100', 'eth0']);
  const arping = 'ARPING 10.0.0.100 from 0.0.0.0 eth0\nUnicast reply from 10.0.0.100 [DE:B5:12:2D:38:9A]  0.523ms\nSent 1 probes (1 broadcast(s))\nReceived 1 response(s)\n';
  assert.deepEqual(parseArpingReplies(arping), ['de:b5:12:2d:38:9a']);
  assert.deepEqual(parseArpingReplies('Sent 1 probes (1 broadcast(s))\nReceived 0 response(s)\n'), []);
  const nd = 'Soliciting fd00:1::100 (fd00:1::100) on eth0...\nTarget link-layer address: DE:B5:12:2D:38:9A\n from fd00:1::100\n';
  assert.deepEqual(parseNdisc6Replies(nd), ['de:b5:12:2d:38:9a']);
  assert.deepEqual(parseNdisc6Replies('Timed out.\nNo response.\n'), []);
});

test('duplicate-address probe (arping -D, ndisc6) sees the other holder of a VIP, and nobody once it is gone', { skip, timeout: 60_000 }, async () => {
  const lan = await createLan(['a', 'b'], { label: 'sp' });
  try {
    const vip4 = `${lan.subnet4}.100`;
    const vip6 = `${lan.nodes.a!.ip6.replace(/::[0-9a-f]+$/, '')}::100`;
    for (const n of ['a', 'b']) {
      await lan.exec(n, 'ip', ['addr', 'add', `${vip4}/24`, 'dev', 'eth0']);
      await lan.exec(n, 'ip', ['addr', 'add', `${vip6}/64`, 'dev', 'eth0', 'nodad']);
    }
    const macB = await mac(lan, 'b');
    assert.deepEqual(await probe(lan, 'a', 'dup', vip4, 'eth0'), { foreignMacs: [macB] });
    assert.deepEqual(await probe(lan, 'a', 'dup', vip6, 'eth0'), { foreignMacs: [macB] });
    await lan.exec('b', 'ip', ['addr', 'del', `${vip4}/24`, 'dev', 'eth0']);
    await lan.exec('b', 'ip', ['addr', 'del', `${vip6}/64`, 'dev', 'eth0']);
    assert.deepEqual(await probe(lan, 'a', 'dup', vip4, 'eth0'), { foreignMacs: [] });
    assert.deepEqual(await probe(lan, 'a', 'dup', vip6, 'eth0'), { foreignMacs: [] });
    // A device that does not exist: an error the operator can act on, not "no holder".
    const bad = (await probe(lan, 'a', 'dup', vip4, 'nosuch0')) as { error?: string };
    assert.match(bad.error ?? '', /arping .* exited with 2/);
  } finally {
    await lan.destroy();
  }
});

test('ping probe: a live peer answers, an unused address does not', { skip, timeout: 30_000 }, async () => {
  const lan = await createLan(['a', 'b'], { label: 'sq' });
  try {
    assert.deepEqual(await probe(lan, 'a', 'ping', lan.nodes.b!.ip4), { alive: true });
    assert.deepEqual(await probe(lan, 'a', 'ping', `${lan.subnet4}.250`), { alive: false });
    await lan.setLinkUp('b', false);
    assert.deepEqual(await probe(lan, 'a', 'ping', lan.nodes.b!.ip4), { alive: false }, 'a peer cut off the segment');
  } finally {
    await lan.destroy();
  }
});

const SECRET = 'correct horse battery staple';

const DOC: StatusDocument = {
  program: 'haldir-vrrp',
  routerId: 'lbB',
  instances: [
    { name: 'VI_1', vrid: 51, family: 4, state: 'MASTER', priority: 100, effectivePriority: 90, address: '10.0.0.12', splitBrain: 'none' },
    { name: 'VI_6', vrid: 51, family: 6, state: 'BACKUP', priority: 100, effectivePriority: 100, address: 'fe80::2', splitBrain: 'none' },
    // Same VRID and family as VI_1, on another interface (legal): must never be taken for VI_1.
    { name: 'VI_9', vrid: 51, family: 4, state: 'BACKUP', priority: 50, effectivePriority: 50, address: '10.9.0.12', splitBrain: 'none' },
  ],
};

const reader = (secret: string | undefined = SECRET, timeoutMs = 800) => gotStatusReader({ timeoutMs, secret: () => secret, wallNow: () => Date.now() });
const portOf = (s: Server | TcpServer): number => (s.address() as AddressInfo).port;
const close = (s: Server): void => {
  s.close();
  s.closeAllConnections();
};

function rawGet(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string; signature?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, signature: res.headers[SIGNATURE_HEADER] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A hand-written status server on loopback; `answer` gets the request's instance and nonce. */
async function fakePeer(answer: (q: { instance: string; nonce: string; remote: string }, res: ServerResponse, req: IncomingMessage) => void): Promise<Server> {
  const srv = createHttpServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    answer({ instance: u.searchParams.get('instance') ?? '', nonce: u.searchParams.get('nonce') ?? '', remote: req.socket.remoteAddress ?? '' }, res, req);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return srv;
}

/** Answers like a real peer (signed, this request's nonce and instance), with `edit` applied to the document first. */
function signedAnswer(edit: (d: Record<string, unknown>) => void = () => {}, secret = SECRET) {
  return (q: { instance: string; nonce: string }, res: ServerResponse): void => {
    const d = JSON.parse(statusAnswer(DOC, q.instance, q.nonce, Date.now(), undefined).body) as Record<string, unknown>;
    edit(d);
    const body = JSON.stringify(d);
    res.writeHead(200, { 'content-type': 'application/json', [SIGNATURE_HEADER]: signStatusBody(body, secret) }).end(body);
  };
}

test('status channel: a signed answer for this request is authenticated; the instance is matched by name, VRID and family', async () => {
  const srv = await serveStatusDocument({ host: '127.0.0.1', port: 0 }, { document: () => DOC, secret: () => SECRET, wallNow: () => Date.now() });
  try {
    const port = portOf(srv);
    assert.equal(statusUrl({ host: '::1', port: 7474 }, 'VI_1', 'ab'), 'http://[::1]:7474/vrrp/status?instance=VI_1&nonce=ab');
    const res = await reader().read({ host: '127.0.0.1', port }, { instance: 'VI_1' });
    assert.equal(res.kind, 'ok', JSON.stringify(res));
    const doc = (res as Extract<PeerStatus, { kind: 'ok' }>).doc;
    assert.deepEqual(doc.instances, [DOC.instances[0]], 'only the instance asked for');
    assert.equal(doc.instance, 'VI_1');
    assert.deepEqual(reportFor(doc, { name: 'VI_1', vrid: 51, family: 4 }), { state: 'MASTER', priority: 90, address: '10.0.0.12', splitBrain: 'none' });
    // VI_9 shares VRID 51 and IPv4 with VI_1: only the name tells them apart.
    assert.deepEqual(reportFor(DOC, { name: 'VI_9', vrid: 51, family: 4 })?.address, '10.9.0.12');
    assert.equal(reportFor(DOC, { name: 'VI_1', vrid: 51, family: 6 }), undefined);
    assert.equal(reportFor(DOC, { name: 'VI_2', vrid: 51, family: 4 }), undefined);
    assert.deepEqual(reportFor(DOC, { name: 'VI_6', vrid: 51, family: 6 })?.address, 'fe80::2');
    // The endpoint itself: the query is required, nothing but GET/HEAD.
    assert.equal((await rawGet(port, '/other')).status, 404);
    assert.equal((await rawGet(port, '/vrrp/status', 'POST')).status, 405);
    assert.equal((await rawGet(port, '/vrrp/status')).status, 400);
    assert.equal((await rawGet(port, '/vrrp/status?instance=VI_1&nonce=zz')).status, 400);
    const raw = await rawGet(port, `/vrrp/status?instance=VI_1&nonce=${'0'.repeat(32)}`);
    assert.equal(raw.signature, signStatusBody(raw.body, SECRET), 'HMAC-SHA256 over the exact body');
    assert.equal(raw.body.includes(SECRET), false);
  } finally {
    close(srv);
  }
});

test('status channel: unsigned, wrongly signed, replayed, stale or misdirected answers are not authenticated', async () => {
  const unsigned = await serveStatusDocument({ host: '127.0.0.1', port: 0 }, { document: () => DOC, secret: () => undefined, wallNow: () => Date.now() });
  const otherKey = await fakePeer(signedAnswer(() => {}, 'another secret of the same length'));
  let captured: { body: string; sig: string } | undefined;
  const replay = await fakePeer((q, res) => {
    if (!captured) {
      const a = statusAnswer(DOC, q.instance, q.nonce, Date.now(), SECRET);
      captured = { body: a.body, sig: a.signature! };
    }
    res.writeHead(200, { [SIGNATURE_HEADER]: captured.sig }).end(captured.body);
  });
  const stale = await fakePeer(signedAnswer((d) => (d.time = Date.now() - 120_000)));
  const otherInstance = await fakePeer((q, res) => {
    const a = statusAnswer(DOC, 'VI_9', q.nonce, Date.now(), SECRET);
    res.writeHead(200, { [SIGNATURE_HEADER]: a.signature! }).end(a.body);
  });
  try {
    const at = (s: Server) => ({ host: '127.0.0.1', port: portOf(s) });
    const why = async (s: Server, secret?: string): Promise<string> => {
      const r = await reader(secret).read(at(s), { instance: 'VI_1' });
      return `${r.kind}: ${'reason' in r ? r.reason : ''}`;
    };
    assert.match(await why(unsigned), /^unauthenticated: the answer is not signed/);
    assert.match(await why(unsigned, undefined as unknown as string), /^unauthenticated: the answer is not signed/);
    assert.equal((await gotStatusReader({ secret: () => undefined, wallNow: () => Date.now() }).read(at(unsigned), { instance: 'VI_1' })).kind, 'unauthenticated', 'no secret here: nothing is authenticated');
    assert.match(await why(otherKey), /^unauthenticated: bad signature/);
    assert.equal((await reader().read(at(replay), { instance: 'VI_1' })).kind, 'ok', 'the first answer is genuine');
    assert.match(await why(replay), /^unauthenticated: the answer is for another request \(replayed\?\)/);
    assert.match(await why(stale), /^unauthenticated: the peer's clock is -120 s off/);
    assert.match(await why(otherInstance), /^unauthenticated: the answer is for another instance/);
  } finally {
    for (const s of [unsigned, otherKey, replay, stale, otherInstance]) close(s);
  }
});

test('status client pins its source address (localAddress)', async () => {
  const seen: string[] = [];
  const srv = await fakePeer((q, res) => {
    seen.push(q.remote);
    signedAnswer()(q, res);
  });
  try {
    const at = { host: '127.0.0.1', port: portOf(srv) };
    assert.equal((await reader().read(at, { instance: 'VI_1', localAddress: '127.0.0.2' })).kind, 'ok');
    assert.equal((await reader().read(at, { instance: 'VI_1' })).kind, 'ok');
    assert.deepEqual(seen, ['127.0.0.2', '127.0.0.1'], 'the pinned source, then the kernel default');
  } finally {
    close(srv);
  }
});

test('status client: hostile answers (gzip bomb, oversized, newline in a field) are refused cheaply and never echoed raw', { timeout: 30_000 }, async () => {
  // 16 MB of JSON that would be a valid signed document once decompressed (built before
  // the RSS baseline; the nonce cannot match anyway, the size must stop it first).
  const d = JSON.parse(statusAnswer(DOC, 'VI_1', '0'.repeat(32), Date.now(), undefined).body) as Record<string, unknown>;
  d.routerId = 'x'.repeat(16 * 1024 * 1024);
  const bombJson = JSON.stringify(d);
  const bombSig = signStatusBody(bombJson, SECRET);
  const bombGz = gzipSync(bombJson);
  const bomb = await fakePeer((_q, res) => void res.writeHead(200, { 'content-encoding': 'gzip', [SIGNATURE_HEADER]: bombSig }).end(bombGz));
  const smallGzip = await fakePeer((q, res) => {
    const a = statusAnswer(DOC, q.instance, q.nonce, Date.now(), SECRET);
    res.writeHead(200, { 'content-encoding': 'gzip', [SIGNATURE_HEADER]: a.signature! }).end(gzipSync(a.body));
  });
  const chunked = await fakePeer((q, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let n = 0;
    const more = (): void => {
      if (n++ >= 16 || res.destroyed) return void res.end();
      res.write(chunk, more);
    };
    more();
  });
  const injected = await fakePeer(signedAnswer((d) => ((d.instances as Record<string, unknown>[])[0]!.address = '10.0.0.12\nJan  1 00:00:00 lbA haldir-vrrp: (VI_1) Entering FAULT STATE')));
  try {
    const at = (s: Server) => ({ host: '127.0.0.1', port: portOf(s) });
    const rss0 = process.memoryUsage().rss;
    const r1 = await reader().read(at(bomb), { instance: 'VI_1' });
    assert.deepEqual(r1, { kind: 'invalid', reason: `the answer is larger than ${MAX_STATUS_BYTES} bytes` });
    const r2 = await reader().read(at(smallGzip), { instance: 'VI_1' });
    assert.deepEqual(r2, { kind: 'invalid', reason: 'the answer is compressed (Content-Encoding); haldir-vrrp never sends that' });
    assert.ok(process.memoryUsage().rss - rss0 < 32 * 1024 * 1024, 'nothing was decompressed');
    const r3 = await reader().read(at(chunked), { instance: 'VI_1' });
    assert.deepEqual(r3, { kind: 'invalid', reason: `the answer is larger than ${MAX_STATUS_BYTES} bytes` });
    const r4 = await reader().read(at(injected), { instance: 'VI_1' });
    assert.equal(r4.kind, 'invalid');
    const reason = 'reason' in r4 ? r4.reason : '';
    assert.match(reason, /^instances\[0\]\.address is missing or invalid \(\\x2210\.0\.0\.12\\x5cnJan/);
    assert.equal(/[\r\n]/.test(reason), false, 'no raw newline reaches a log line');
    assert.equal(escapePeerText('a\nb"\\\u00e9\u2028'), 'a\\x0ab\\x22\\x5c\\xe9\\u{2028}');
    assert.equal(escapePeerText('y'.repeat(100), 10), 'yyyyyyyyyy...');
  } finally {
    for (const s of [bomb, smallGzip, chunked, injected]) close(s);
  }
});

test('a peer that accepts the connection and never answers costs one bounded timeout and never blocks the event loop', { timeout: 30_000 }, async () => {
  const sockets: Socket[] = [];
  const silent = createTcpServer((s) => void sockets.push(s));
  // Headers at once, then the body one byte every 100 ms, forever.
  const drip = createTcpServer((s) => {
    sockets.push(s);
    s.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n');
    const t = setInterval(() => (s.destroyed ? clearInterval(t) : s.write('1\r\n \r\n')), 100);
    s.on('close', () => clearInterval(t));
  });
  await Promise.all([silent, drip].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  let worstGap = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    worstGap = Math.max(worstGap, now - last);
    last = now;
  }, 10);
  try {
    for (const [srv, label] of [[silent, 'silent'], [drip, 'drip']] as const) {
      const t0 = performance.now();
      const r = await reader(SECRET, 500).read({ host: '127.0.0.1', port: portOf(srv) }, { instance: 'VI_1' });
      const took = performance.now() - t0;
      assert.deepEqual(r, { kind: 'unreachable', reason: 'ETIMEDOUT' }, label);
      assert.ok(took >= 450 && took < 2500, `${label}: one timeout (500 ms), took ${took.toFixed(0)} ms`);
    }
    assert.ok(worstGap < 250, `the event loop kept running (worst gap ${worstGap.toFixed(0)} ms)`);
  } finally {
    clearInterval(ticker);
    for (const s of sockets) s.destroy();
    silent.close();
    drip.close();
  }
});

test('status listener: a taken port is an error with a code and what to do', async () => {
  const srv = await serveStatusDocument({ host: '127.0.0.1', port: 0 }, { document: () => DOC, secret: () => SECRET, wallNow: () => Date.now() });
  try {
    await assert.rejects(
      serveStatusDocument({ host: '127.0.0.1', port: portOf(srv) }, { document: () => DOC, secret: () => SECRET, wallNow: () => Date.now() }),
      (e: unknown) => e instanceof StatusListenError && /SB-STATUS-LISTEN: cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/.test(e.message),
    );
    // Nobody listening: unreachable (not evidence), quickly.
    const t0 = performance.now();
    assert.equal((await reader(SECRET, 500).read({ host: '127.0.0.1', port: 1 }, { instance: 'VI_1' })).kind, 'unreachable');
    assert.ok(performance.now() - t0 < 2000);
  } finally {
    close(srv);
  }
});

test('status endpoint across namespaces: the peer reads it over the LAN', { skip, timeout: 30_000 }, async () => {
  const lan = await createLan(['a', 'b'], { label: 'ss' });
  const server = lan.spawn('b', process.execPath, [
    '--input-type=module',
    '-e',
    `const { serveStatusDocument } = await import(${JSON.stringify(new URL('../../src/splitbrain/status-server.js', import.meta.url).pathname)});
     await serveStatusDocument({ host: '${lan.nodes.b!.ip4}', port: 7474 }, { document: () => (${JSON.stringify(DOC)}), secret: () => ${JSON.stringify(SECRET)}, wallNow: () => Date.now() });
     console.log('READY');`,
  ]);
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout?.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
      server.once('exit', () => reject(new Error('status server exited')));
    });
    const got = (await probe(lan, 'a', 'status', lan.nodes.b!.ip4, '7474', 'VI_1', SECRET)) as PeerStatus;
    assert.equal(got.kind, 'ok', JSON.stringify(got));
    assert.deepEqual(got.kind === 'ok' && got.doc.instances, [DOC.instances[0]]);
    assert.equal(((await probe(lan, 'a', 'status', lan.nodes.b!.ip4, '7475', 'VI_1', SECRET)) as PeerStatus).kind, 'unreachable', 'closed port: unreachable, not evidence');
  } finally {
    server.kill('SIGKILL');
    await lan.destroy();
  }
});
