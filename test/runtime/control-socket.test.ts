// The daemons' control socket (src/runtime/control-socket.ts) against real Unix sockets:
// root-only mode, a stale socket left by a killed daemon, the 4 KB request limit,
// malformed requests, and clean-up on close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlServer, controlRequest, type ControlRequest } from '../../src/runtime/control-socket.js';

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sends raw bytes and collects everything until the server closes the connection. */
function rawExchange(path: string, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let reply = '';
    sock.on('connect', () => sock.write(payload));
    sock.on('data', (d) => (reply += d.toString()));
    sock.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    sock.on('close', () => resolve(reply));
    // the server's own idle timeout is 5 s; a reply or a cut must come long before this
    setTimeout(() => reject(new Error('timed out waiting for the server to answer or close')), 20000).unref();
  });
}

function withServer(fn: (path: string, seen: ControlRequest[], server: ControlServer) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-ctl-'));
  const path = join(dir, 'haldir.x.sock');
  const seen: ControlRequest[] = [];
  const server = new ControlServer(path, (req) => {
    seen.push(req);
    return { pid: 42, cmd: req.cmd };
  });
  return (async () => {
    try {
      await fn(path, seen, server);
    } finally {
      await server.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  })();
}

test('listens root-only (mode 0600), answers one JSON request, removes the socket on close', () =>
  withServer(async (path, seen, server) => {
    await server.listen();
    assert.equal(statSync(path).mode & 0o777, 0o600, 'only the owner (root) may connect');
    assert.ok(statSync(path).isSocket());
    assert.deepEqual(await controlRequest(path, { cmd: 'status' }), { pid: 42, cmd: 'status' });
    assert.deepEqual(await controlRequest(path, { cmd: 'dump' }), { pid: 42, cmd: 'dump' });
    assert.deepEqual(seen, [{ cmd: 'status' }, { cmd: 'dump' }]);
    await server.close();
    assert.equal(existsSync(path), false, 'socket file removed');
    await assert.rejects(controlRequest(path, { cmd: 'status' }, 3000, 'haldir'), /cannot reach haldir on .*; is it running with this config\?/);
  }));

test('replaces a stale socket left by a daemon that was killed', () =>
  withServer(async (path, seen, server) => {
    // a real listener in another process, SIGKILLed: its socket file stays behind
    const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => child.on('exit', r));
    try {
      await waitFor(() => out.includes('up'), 15000, 'the other process to listen');
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    assert.ok(statSync(path).isSocket(), 'the stale socket is there');
    await server.listen();
    assert.deepEqual(await controlRequest(path, { cmd: 'status' }), { pid: 42, cmd: 'status' });
    assert.equal(seen.length, 1);
  }));

test('cuts a request longer than 4 KB without answering it; a malformed one gets an error reply', () =>
  withServer(async (path, seen, server) => {
    await server.listen();
    // a well-formed request padded past the limit: would be answered if the limit were gone
    const big = JSON.stringify({ cmd: 'status', pad: 'x'.repeat(5000) }) + '\n';
    assert.equal(await rawExchange(path, big), '', 'no reply to an oversized request');
    assert.equal(seen.length, 0, 'the handler never saw it');
    // just under the limit is fine
    const fits = JSON.stringify({ cmd: 'status', pad: 'x'.repeat(4000) }) + '\n';
    assert.deepEqual(JSON.parse(await rawExchange(path, fits)), { pid: 42, cmd: 'status' });
    const bad = JSON.parse(await rawExchange(path, 'not json\n')) as { error?: string };
    assert.match(bad.error ?? '', /JSON/);
    assert.equal(seen.length, 1);
  }));
