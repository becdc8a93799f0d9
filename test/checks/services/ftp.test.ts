// service=ftp against Debian's vsftpd on loopback (anonymous and a local user).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { check } from '../../../src/checks/services/ftp.js';
import { startTcpBlackhole } from '../../helpers/servers/blackhole.js';
import { freeTcpPort } from '../../helpers/servers/ports.js';
import { type FtpServer, startVsftpd } from '../../helpers/servers/vsftpd.js';
import { makeCtx, never } from './context.js';
import { needsRoot } from '../../helpers/servers/root.js';

describe('ftp check against vsftpd', { timeout: 60_000, skip: needsRoot }, () => {
  let ftp: FtpServer;
  before(async () => {
    ftp = await startVsftpd({ 'health.txt': 'status: ALIVE\n' });
  });
  after(async () => {
    await ftp?.stop();
  });

  it('is up when the anonymous fetch matches receive', async () => {
    const r = await check(
      makeCtx({ service: 'ftp', port: ftp.port, request: '/health.txt', receive: /ALIVE/, login: 'anonymous', passwd: 'ldirectord@director.test' }),
      never(),
    );
    assert.equal(r.ok, true, r.message);
    assert.match(r.message, /14 bytes matching receive/);
  });

  it('is up for a local user with the right password', async () => {
    const r = await check(
      makeCtx({ service: 'ftp', port: ftp.port, request: '/health.txt', receive: /^status: ALIVE$/m, login: ftp.user, passwd: ftp.password }),
      never(),
    );
    assert.equal(r.ok, true, r.message);
  });

  it('is down when the body does not match receive, the file is missing or the password is wrong', async () => {
    const mismatch = await check(makeCtx({ service: 'ftp', port: ftp.port, request: '/health.txt', receive: /DEAD/ }), never());
    assert.equal(mismatch.ok, false);
    assert.match(mismatch.message, /response mismatch/);
    const missing = await check(makeCtx({ service: 'ftp', port: ftp.port, request: '/nope.txt', receive: /ALIVE/ }), never());
    assert.equal(missing.ok, false);
    assert.match(missing.message, /550/);
    const badpw = await check(
      makeCtx({ service: 'ftp', port: ftp.port, request: '/health.txt', receive: /ALIVE/, login: ftp.user, passwd: 'wrong' }),
      never(),
    );
    assert.equal(badpw.ok, false);
    assert.match(badpw.message, /530/);
  });

  it('is down when nothing listens', async () => {
    const r = await check(makeCtx({ service: 'ftp', port: await freeTcpPort(), request: '/health.txt' }), never());
    assert.equal(r.ok, false);
    assert.match(r.message, /ECONNREFUSED/);
  });

  it('is down at the timeout when the server never greets', async () => {
    const hole = await startTcpBlackhole();
    try {
      const r = await check(makeCtx({ service: 'ftp', port: hole.port, request: '/health.txt', timeoutMs: 400 }), never());
      assert.equal(r.ok, false);
      assert.match(r.message, /no answer within 400 ms|[Tt]imeout/);
      assert.ok(r.durationMs < 3000);
    } finally {
      await hole.stop();
    }
  });
});
