// The probes against real things: arping -D and ndisc6 between two network namespaces
// holding the same VIP, ping of a live and a dead peer, and the status endpoint read
// by the got client (on loopback, and from another namespace across the test LAN).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLan, isRoot, rootSkipReason } from '../helpers/netns/lan.js';
import type { Lan } from '../helpers/netns/lan.js';
import { arpingDadArgv, ndisc6Argv, parseArpingReplies, parseNdisc6Replies } from '../../src/splitbrain/duplicate-probe.js';
import { serveStatusDocument, StatusListenError } from '../../src/splitbrain/status-server.js';
import { gotStatusReader, statusUrl } from '../../src/splitbrain/status-client.js';
import { asStatusDocument, reportFor } from '../../src/splitbrain/status-document.js';
import type { StatusDocument } from '../../src/splitbrain/status-document.js';

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

const DOC: StatusDocument = {
  program: 'haldir-vrrp',
  routerId: 'lbB',
  instances: [
    { name: 'VI_1', vrid: 51, family: 4, state: 'MASTER', priority: 100, effectivePriority: 90, address: '10.0.0.12', splitBrain: 'none' },
    { name: 'VI_6', vrid: 51, family: 6, state: 'BACKUP', priority: 100, effectivePriority: 100, address: 'fe80::2', splitBrain: 'none' },
  ],
};

function rawGet(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('status endpoint: serves the document read-only; the got client reads it and picks the VRID per family', async () => {
  const srv = await serveStatusDocument({ host: '127.0.0.1', port: 0 }, () => DOC);
  try {
    const port = (srv.address() as AddressInfo).port;
    assert.equal(statusUrl({ host: '127.0.0.1', port }), `http://127.0.0.1:${port}/vrrp/status`);
    assert.equal(statusUrl({ host: '::1', port: 7474 }), 'http://[::1]:7474/vrrp/status');
    const doc = await gotStatusReader().read({ host: '127.0.0.1', port });
    assert.deepEqual(doc, DOC);
    assert.deepEqual(reportFor(doc, 51, 4), { state: 'MASTER', priority: 90, address: '10.0.0.12', splitBrain: 'none' });
    assert.deepEqual(reportFor(doc, 51, 6), { state: 'BACKUP', priority: 100, address: 'fe80::2', splitBrain: 'none' });
    assert.equal(reportFor(doc, 52, 4), undefined);
    assert.equal((await rawGet(port, '/other')).status, 404);
    assert.equal((await rawGet(port, '/vrrp/status', 'POST')).status, 405);
    assert.equal(asStatusDocument({ program: 'nginx', instances: [] }), undefined);
    // Nobody listening: undefined (not evidence), quickly.
    const t0 = performance.now();
    assert.equal(await gotStatusReader(500).read({ host: '127.0.0.1', port: 1 }), undefined);
    assert.ok(performance.now() - t0 < 2000);
    // A taken port: an error with a code and what to do.
    await assert.rejects(serveStatusDocument({ host: '127.0.0.1', port }, () => DOC), (e: unknown) => e instanceof StatusListenError && /SB-STATUS-LISTEN: cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/.test(e.message));
  } finally {
    srv.close();
    srv.closeAllConnections();
  }
});

test('status endpoint across namespaces: the peer reads it over the LAN', { skip, timeout: 30_000 }, async () => {
  const lan = await createLan(['a', 'b'], { label: 'ss' });
  const server = lan.spawn('b', process.execPath, [
    '--input-type=module',
    '-e',
    `const { serveStatusDocument } = await import(${JSON.stringify(new URL('../../src/splitbrain/status-server.js', import.meta.url).pathname)});
     await serveStatusDocument({ host: '${lan.nodes.b!.ip4}', port: 7474 }, () => (${JSON.stringify(DOC)}));
     console.log('READY');`,
  ]);
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout?.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
      server.once('exit', () => reject(new Error('status server exited')));
    });
    assert.deepEqual(await probe(lan, 'a', 'status', lan.nodes.b!.ip4, '7474'), DOC);
    assert.equal(await probe(lan, 'a', 'status', lan.nodes.b!.ip4, '7475'), null, 'closed port: unreachable, not evidence');
  } finally {
    server.kill('SIGKILL');
    await lan.destroy();
  }
});
