// service=smtp/submission against the smtp-server package on loopback.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { check } from '../../../src/checks/services/smtp.js';
import { startTcpBlackhole } from '../../helpers/servers/blackhole.js';
import { freeTcpPort } from '../../helpers/servers/ports.js';
import { makeCtx, never } from './context.js';

function listen(srv: SMTPServer): Promise<number> {
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.server.address() as net.AddressInfo).port)));
}
const close = (srv: SMTPServer): Promise<void> => new Promise((resolve) => srv.close(() => resolve()));

describe('smtp check', () => {
  let good: SMTPServer;
  let refusing: SMTPServer;
  let goodPort = 0;
  let refusingPort = 0;
  const hellos: string[] = [];
  before(async () => {
    good = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onConnect(session, cb) {
        cb();
      },
    });
    good.on('error', () => undefined);
    goodPort = await listen(good);
    good.server.on('connection', (s: net.Socket) => {
      s.on('data', (d: Buffer) => {
        const m = /^(EHLO|HELO) (\S+)/m.exec(d.toString());
        if (m) hellos.push(`${m[1]} ${m[2]}`);
      });
    });
    refusing = new SMTPServer({
      logger: false,
      onConnect(_session, cb) {
        cb(Object.assign(new Error('no service here'), { responseCode: 554 }));
      },
    });
    refusing.on('error', () => undefined);
    refusingPort = await listen(refusing);
  });
  after(async () => {
    await close(good);
    await close(refusing);
  });

  it('is up when the server greets and accepts EHLO (smtp and submission)', async () => {
    for (const service of ['smtp', 'submission'] as const) {
      const r = await check(makeCtx({ service, port: goodPort }), never());
      assert.equal(r.ok, true, r.message);
      assert.match(r.message, /EHLO accepted \(250\)/);
    }
    assert.ok(hellos.includes('EHLO localhost.localdomain'), `hellos seen: ${hellos.join(', ')}`);
  });

  it('falls back to HELO when EHLO gets a 5xx (Net::SMTP::hello)', async () => {
    const seen: string[] = [];
    const old = net.createServer((s) => {
      s.write('220 old.example ESMTP-less\r\n');
      s.on('data', (d) => {
        const line = d.toString();
        seen.push(line.trim());
        if (line.startsWith('EHLO')) s.write('502 unknown command\r\n');
        else if (line.startsWith('HELO')) s.write('250 old.example\r\n');
        else if (line.startsWith('QUIT')) s.end('221 bye\r\n');
      });
    });
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    try {
      const r = await check(makeCtx({ service: 'smtp', port: (old.address() as net.AddressInfo).port }), never());
      assert.equal(r.ok, true, r.message);
      assert.match(r.message, /HELO accepted/);
      assert.deepEqual(seen.slice(0, 2), ['EHLO localhost.localdomain', 'HELO localhost.localdomain']);
    } finally {
      await new Promise<void>((resolve) => old.close(() => resolve()));
    }
  });

  it('is down when the greeting is not 2xx', async () => {
    const r = await check(makeCtx({ service: 'smtp', port: refusingPort }), never());
    assert.equal(r.ok, false);
    assert.match(r.message, /greeting refused: 554/);
  });

  it('is down when nothing listens', async () => {
    const r = await check(makeCtx({ service: 'smtp', port: await freeTcpPort() }), never());
    assert.equal(r.ok, false);
    assert.match(r.message, /ECONNREFUSED/);
  });

  it('is down within the timeout when the server never greets, and honours abort', async () => {
    const hole = await startTcpBlackhole();
    try {
      const r = await check(makeCtx({ service: 'smtp', port: hole.port, timeoutMs: 300 }), never());
      assert.equal(r.ok, false);
      assert.match(r.message, /no answer within 300 ms/);
      assert.ok(r.durationMs < 3000, `took ${r.durationMs} ms`);
      const ac = new AbortController();
      const pending = check(makeCtx({ service: 'smtp', port: hole.port, timeoutMs: 30_000 }), ac.signal);
      setTimeout(() => ac.abort(), 50);
      const a = await pending;
      assert.equal(a.ok, false);
      assert.equal(a.message, 'check aborted');
      assert.ok(a.durationMs < 3000, `abort took ${a.durationMs} ms`);
    } finally {
      await hole.stop();
    }
  });
});
