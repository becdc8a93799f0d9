// Privileged end-to-end: the split-brain status channel under attack, in network
// namespaces. An unprivileged local user (nobody) on the peer director answers the
// status port with a forged "MASTER at priority 200": the only director must neither
// declare split brain nor give up the VIP. The same user squatting our own status_listen
// port: haldir-vrrp refuses to start, and a reload onto a squatted port is mailed and
// retried until the port is free.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isRoot, rootSkipReason } from '../helpers/netns/lan.js';
import type { Lan } from '../helpers/netns/lan.js';
import { startHaldir } from '../vrrp/helpers/peers.js';
import { createPair, pairCf, until } from './helpers/pair.js';

const run = promisify(execFile);
const skip = isRoot() ? false : rootSkipReason;
const CLI = new URL('../../src/cli/haldir-vrrp.js', import.meta.url).pathname;
const PROBE_CLI = new URL('../splitbrain/helpers/probe-cli.js', import.meta.url).pathname;
const SECRET = 'e2e-channel-secret-0123456789';

/** A node process run as nobody inside a namespace (no privilege, no secret). */
function asNobody(lan: Lan, node: string, script: string): { proc: ChildProcess; lines: string[] } {
  const proc = lan.spawn(node, 'setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', process.execPath, '--input-type=module', '-e', script]);
  const lines: string[] = [];
  proc.stdout?.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  return { proc, lines };
}

async function stop(p: { proc: ChildProcess } | undefined): Promise<void> {
  if (!p || p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  const gone = new Promise((r) => p.proc.once('exit', r));
  p.proc.kill('SIGKILL');
  await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
}

test('a forged status answer from an unprivileged user on the peer is never evidence: the only director keeps the VIP', { skip, timeout: 60_000 }, async () => {
  const pair = await createPair('sf');
  let forger: { proc: ChildProcess; lines: string[] } | undefined;
  try {
    const { a, b } = pair.lan.nodes;
    const forged = JSON.stringify({
      program: 'haldir-vrrp',
      routerId: 'lbB',
      instances: [{ name: 'VI_1', vrid: 71, family: 4, state: 'MASTER', priority: 200, effectivePriority: 200, address: b!.ip4, splitBrain: 'none' }],
    });
    // Echoes the nonce and instance like the real thing; it just cannot sign.
    forger = asNobody(
      pair.lan,
      'b',
      `import { createServer } from 'node:http';
       createServer((req, res) => {
         const u = new URL(req.url, 'http://x');
         const d = { ...${forged}, instance: u.searchParams.get('instance'), nonce: u.searchParams.get('nonce'), time: Date.now() };
         console.log('REQ');
         res.writeHead(200, { 'content-type': 'application/json', 'x-haldir-signature': 'v1=' + '0'.repeat(64) }).end(JSON.stringify(d));
       }).listen(7474, '${b!.ip4}', () => console.log('READY'));`,
    );
    await until(() => forger!.lines.includes('READY'), 10_000, 'the forged status server');
    const cf = pairCf('lbA', [`peer = ${b!.ip4}:7474`, `status_listen = ${a!.ip4}:7474`, `status_secret = ${SECRET}`, 'split_brain_action = yield'], [
      { name: 'VI_1', vrid: 71, version: 3, advertInt: 0.1, vips: [pair.vip], priority: 150, state: 'MASTER' },
    ]);
    const pa = startHaldir(pair.lan, 'a', cf);
    pair.peers.push(pa);
    await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, 8000);
    // Five probe rounds answered by the forger while A is MASTER (2 confirm a verdict).
    const seen = forger.lines.filter((l) => l === 'REQ').length;
    await until(() => forger!.lines.filter((l) => l === 'REQ').length >= seen + 5, 15_000, 'five forged answers');
    assert.equal(pa.has(/split brain detected|yielding to|Entering FAULT STATE/), false, pa.lines.map((l) => l.text).join('\n'));
    assert.ok(pa.has(/SB-STATUS: \(VI_1\) status channel of peer .*:7474: unauthenticated: bad signature .*; not used as evidence/));
    assert.deepEqual(await pair.holders(), ['a'], 'A still holds the VIP');
    const st = await run(process.execPath, [CLI, '--pidfile', join(pa.dir, 'haldir-vrrp.pid'), join(pa.dir, 'vrrp.cf'), 'status', '-v']);
    assert.match(st.stdout, /VI_1: split brain none \(action yield; peer .*:7474; status channel unauthenticated: bad signature/);
  } finally {
    await stop(forger);
    await pair.destroy();
  }
});

test('status_listen squatted by an unprivileged user: start fails; a reload onto it is mailed and retried until it binds', { skip, timeout: 90_000 }, async () => {
  const pair = await createPair('sq');
  let squatter: { proc: ChildProcess; lines: string[] } | undefined;
  try {
    const { a, b } = pair.lan.nodes;
    squatter = asNobody(pair.lan, 'a', `import { createServer } from 'node:net'; createServer((s) => s.end()).listen(7474, '${a!.ip4}', () => console.log('READY'));`);
    await until(() => squatter!.lines.includes('READY'), 10_000, 'the squatter');
    const globals = (port: number): string[] => [
      'emailalert = ops@example.com',
      'emailalertfrom = haldir@example.com',
      `smtp = ${pair.smtpHost}:${pair.smtpPort}`,
      `peer = ${b!.ip4}:7474`,
      `status_listen = ${a!.ip4}:${port}`,
      `status_secret = ${SECRET}`,
    ];
    const cf = (port: number): string => pairCf('lbA', globals(port), [{ name: 'VI_1', vrid: 72, version: 3, advertInt: 0.1, vips: [pair.vip], priority: 150, state: 'MASTER' }]);

    // Start on the squatted port: refused, before any VIP is taken.
    const refused = startHaldir(pair.lan, 'a', cf(7474));
    pair.peers.push(refused);
    await refused.waitFor(new RegExp(`SB-STATUS-LISTEN: cannot listen on ${a!.ip4.replace(/\./g, '\\.')}:7474 \\(EADDRINUSE\\)`), 10_000);
    await Promise.race([refused.exited, new Promise((_r, reject) => setTimeout(() => reject(new Error('timed out waiting for haldir-vrrp to exit')), 10_000))]);
    assert.equal(refused.proc.exitCode, 1);
    assert.equal(refused.has(/Entering MASTER STATE/), false);
    assert.deepEqual(await pair.holders(), []);

    // Start on a free port, then reload onto the squatted one.
    const pa = startHaldir(pair.lan, 'a', cf(7475));
    pair.peers.push(pa);
    await pa.waitFor(/Serving VRRP status for the peer on http:\/\/.*:7475\/vrrp\/status/, 8000);
    await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, 8000);
    writeFileSync(join(pa.dir, 'vrrp.cf'), cf(7474));
    const tReload = performance.now();
    pa.kill('SIGHUP');
    await pa.waitFor(/SB-STATUS-LISTEN: cannot listen on .*:7474 \(EADDRINUSE\).*; retrying every 5 s/, 8000, tReload);
    const mail = await pair.waitMail(/VRRP status listener .*:7474 down/, 15_000);
    assert.match(mail.subject, /^\[lbA\] VRRP status listener .*:7474 down$/);
    assert.match(mail.text, /EADDRINUSE/);
    assert.deepEqual(await pair.holders(), ['a'], 'the running node keeps its VIP');

    // The squatter goes away: the next retry binds, and the peer reads an authenticated answer.
    await stop(squatter);
    await pa.waitFor(/Serving VRRP status for the peer on http:\/\/.*:7474\/vrrp\/status/, 15_000, tReload);
    const r = await pair.lan.exec('b', process.execPath, [PROBE_CLI, 'status', a!.ip4, '7474', 'VI_1', SECRET], { timeoutMs: 10_000 });
    const res = JSON.parse(r.stdout) as { kind: string };
    assert.equal(res.kind, 'ok', r.stdout);
    assert.equal(pair.mails().filter((m) => /status listener/.test(m.subject)).length, 1, 'mailed once, not every retry');
  } finally {
    await stop(squatter);
    await pair.destroy();
  }
});
