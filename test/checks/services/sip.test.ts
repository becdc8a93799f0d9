// service=sip against sipp (sip-tester) acting as a UAS on loopback, over udp and tcp.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, sipOptionsRequest } from '../../../src/checks/services/sip.js';
import { startTcpBlackhole, startUdpBlackhole } from '../../helpers/servers/blackhole.js';
import { freePort } from '../../helpers/servers/ports.js';
import { startSipp } from '../../helpers/servers/sipp.js';
import { makeCtx, never } from './context.js';

describe('sip OPTIONS request', () => {
  it('is ldirectord check_sip\'s request, byte for byte', () => {
    assert.equal(
      sipOptionsRequest('ldirectord@director.test', '127.0.0.1', 40000, '0011223344556677'),
      'OPTIONS sip:ldirectord@director.test SIP/2.0\r\n' +
        'Via: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bKhjhs8ass877\r\n' +
        'Max-Forwards: 70\r\nTo: <sip:ldirectord@director.test>\r\n' +
        'From: <sip:ldirectord@director.test>;tag=1928301774\r\nCall-ID: 0011223344556677\r\n' +
        'CSeq: 63104 OPTIONS\r\nContact: <sip:ldirectord@director.test>\r\n' +
        'Accept: application/sdp\r\nContent-Length: 0\r\n\r\n',
    );
  });
});

describe('sip check against sipp', { timeout: 60_000 }, () => {
  for (const protocol of ['udp', 'tcp'] as const) {
    it(`is up when sipp answers 200 OK over ${protocol}`, async () => {
      const uas = await startSipp(protocol);
      try {
        const r = await check(makeCtx({ service: 'sip', port: uas.port, protocol, login: 'ldirectord@director.test' }), never());
        assert.equal(r.ok, true, r.message);
        assert.equal(r.message, 'SIP: SIP/2.0 200 OK');
      } finally {
        await uas.stop();
      }
    });
  }

  it('is down when the answer is not 200 OK', async () => {
    const uas = await startSipp('udp', '503 Service Unavailable');
    try {
      const r = await check(makeCtx({ service: 'sip', port: uas.port, protocol: 'udp', login: 'x@y' }), never());
      assert.equal(r.ok, false);
      assert.equal(r.message, 'SIP reply is not 200 OK: SIP/2.0 503 Service Unavailable');
    } finally {
      await uas.stop();
    }
  });

  it('is down when nothing listens', async () => {
    const port = await freePort();
    const tcp = await check(makeCtx({ service: 'sip', port, protocol: 'tcp' }), never());
    assert.equal(tcp.ok, false);
    assert.match(tcp.message, /ECONNREFUSED/);
    const udp = await check(makeCtx({ service: 'sip', port, protocol: 'udp', timeoutMs: 500 }), never());
    assert.equal(udp.ok, false);
    assert.match(udp.message, /ECONNREFUSED|no answer within/);
  });

  it('is down at the timeout when nobody answers', async () => {
    const u = await startUdpBlackhole();
    const t = await startTcpBlackhole();
    try {
      const ru = await check(makeCtx({ service: 'sip', port: u.port, protocol: 'udp', timeoutMs: 300 }), never());
      assert.equal(ru.ok, false);
      assert.match(ru.message, /no answer within 300 ms/);
      assert.equal(u.received(), 1);
      const rt = await check(makeCtx({ service: 'sip', port: t.port, protocol: 'tcp', timeoutMs: 300 }), never());
      assert.equal(rt.ok, false);
      assert.match(rt.message, /no answer within 300 ms/);
    } finally {
      await u.stop();
      await t.stop();
    }
  });
});
