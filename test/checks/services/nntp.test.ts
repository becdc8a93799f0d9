// service=nntp: the greeting must start with "2" (check_nntp). A Node banner server
// stands in for the news server: the check only reads the greeting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from '../../../src/checks/services/nntp.js';
import { startBannerServer } from '../../helpers/servers/banner.js';
import { startTcpBlackhole } from '../../helpers/servers/blackhole.js';
import { freeTcpPort } from '../../helpers/servers/ports.js';
import { makeCtx, never } from './context.js';

describe('nntp check', () => {
  it('is up on a 200 and a 201 greeting', async () => {
    for (const banner of ['200 news.example InterNetNews server ready\r\n', '201 read only\r\n']) {
      const srv = await startBannerServer(banner);
      try {
        const r = await check(makeCtx({ service: 'nntp', port: srv.port }), never());
        assert.equal(r.ok, true, r.message);
        assert.equal(r.message, `NNTP greeting: ${banner.trim()}`);
      } finally {
        await srv.stop();
      }
    }
  });

  it('is down on a 4xx/5xx greeting', async () => {
    const srv = await startBannerServer('502 you have no permission to talk\r\n');
    try {
      const r = await check(makeCtx({ service: 'nntp', port: srv.port }), never());
      assert.equal(r.ok, false);
      assert.match(r.message, /refused: 502/);
    } finally {
      await srv.stop();
    }
  });

  it('is down when nothing listens', async () => {
    const r = await check(makeCtx({ service: 'nntp', port: await freeTcpPort() }), never());
    assert.equal(r.ok, false);
    assert.match(r.message, /ECONNREFUSED/);
  });

  it('is down at the timeout when the server never greets', async () => {
    const hole = await startTcpBlackhole();
    try {
      const r = await check(makeCtx({ service: 'nntp', port: hole.port, timeoutMs: 300 }), never());
      assert.equal(r.ok, false);
      assert.match(r.message, /no answer within 300 ms/);
    } finally {
      await hole.stop();
    }
  });
});
