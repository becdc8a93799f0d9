// service=radius against Debian's FreeRADIUS on loopback.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { check } from '../../../src/checks/services/radius.js';
import { startUdpBlackhole } from '../../helpers/servers/blackhole.js';
import { type RadiusServer, startFreeradius } from '../../helpers/servers/freeradius.js';
import { freePort } from '../../helpers/servers/ports.js';
import { makeCtx, never } from './context.js';
import { needsRoot } from '../../helpers/servers/root.js';

describe('radius check against freeradius', { timeout: 60_000, skip: needsRoot }, () => {
  let rad: RadiusServer;
  before(async () => {
    rad = await startFreeradius();
  });
  after(async () => {
    await rad?.stop();
  });

  it('is up on Access-Accept', async () => {
    const r = await check(makeCtx({ service: 'radius', port: rad.port, login: rad.user, passwd: rad.password, secret: rad.secret }), never());
    assert.equal(r.ok, true, r.message);
    assert.equal(r.message, 'RADIUS Access-Accept for probe');
  });

  it('is down on Access-Reject (wrong password), as ldirectord (check_pwd returns "")', async () => {
    const r = await check(makeCtx({ service: 'radius', port: rad.port, login: rad.user, passwd: 'wrong', secret: rad.secret }), never());
    assert.equal(r.ok, false);
    assert.match(r.message, /^RADIUS Access-Reject for probe/);
  });

  it('is down when the shared secret is wrong (reply does not verify, or no reply)', async () => {
    const r = await check(
      makeCtx({ service: 'radius', port: rad.port, login: rad.user, passwd: rad.password, secret: 'not-the-secret', timeoutMs: 1500 }),
      never(),
    );
    assert.equal(r.ok, false);
    assert.match(r.message, /bad response authenticator|no answer within/);
  });

  it('is down when nothing listens', async () => {
    const r = await check(makeCtx({ service: 'radius', port: await freePort(), login: 'a', passwd: 'b', secret: 'c', timeoutMs: 500 }), never());
    assert.equal(r.ok, false);
    assert.match(r.message, /ECONNREFUSED|no answer within/);
  });

  it('is down at the timeout when the server never answers; sends exactly one request', async () => {
    const hole = await startUdpBlackhole();
    try {
      const r = await check(
        makeCtx({ service: 'radius', port: hole.port, login: 'a', passwd: 'b', secret: 'c', timeoutMs: 300, checkTimeoutMs: 5000 }),
        never(),
      );
      assert.equal(r.ok, false);
      assert.match(r.message, /no answer within 300 ms/);
      assert.equal(hole.received(), 1);
    } finally {
      await hole.stop();
    }
  });
});
