// IPv6 reals (family inet6, host without brackets): the checks reach servers on ::1.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import * as dnsPacket from 'dns-packet';
import * as dns from '../../../src/checks/services/dns.js';
import * as ldap from '../../../src/checks/services/ldap.js';
import * as nntp from '../../../src/checks/services/nntp.js';
import * as sip from '../../../src/checks/services/sip.js';
import { startBannerServer } from '../../helpers/servers/banner.js';
import { freeTcpPort } from '../../helpers/servers/ports.js';
import { makeCtx, never } from './context.js';

const v6 = { family: 'inet6', host: '::1' } as const;

describe('service checks over IPv6 loopback', () => {
  it('nntp (tcp line socket) reads a greeting from ::1', async () => {
    const srv = await startBannerServer('200 ready\r\n', '::1');
    try {
      const r = await nntp.check(makeCtx({ ...v6, service: 'nntp', port: srv.port }), never());
      assert.equal(r.ok, true, r.message);
    } finally {
      await srv.stop();
    }
  });

  it('dns asks a udp6 server and sip sends its Via with the bracketed IPv6 source (ld_get_addrport)', async () => {
    const sock = dgram.createSocket('udp6');
    const seen: string[] = [];
    sock.on('message', (msg, rinfo) => {
      const text = msg.toString('latin1');
      if (text.startsWith('OPTIONS ')) {
        seen.push(text.split('\r\n')[1] ?? '');
        sock.send('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n', rinfo.port, rinfo.address);
        return;
      }
      const q = dnsPacket.decode(msg);
      const answer = dnsPacket.encode({
        type: 'response',
        id: q.id,
        questions: q.questions,
        answers: [{ type: 'A', name: q.questions?.[0]?.name ?? '', ttl: 60, data: '192.0.2.80' }],
      });
      sock.send(answer, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => sock.bind(0, '::1', resolve));
    const port = (sock.address() as AddressInfo).port;
    try {
      const d = await dns.check(makeCtx({ ...v6, service: 'dns', port, request: '/www.v6.test', receive: /^192\.0\.2\.80$/ }), never());
      assert.equal(d.ok, true, d.message);
      const s = await sip.check(makeCtx({ ...v6, service: 'sip', port, protocol: 'udp', login: 'a@b' }), never());
      assert.equal(s.ok, true, s.message);
      assert.match(seen[0] ?? '', /^Via: SIP\/2\.0\/UDP \[::1\]:\d+;branch=z9hG4bKhjhs8ass877$/);
    } finally {
      sock.close();
    }
  });

  it('ldap builds a bracketed URL for an IPv6 real', async () => {
    const port = await freeTcpPort('::1');
    const r = await ldap.check(makeCtx({ ...v6, service: 'ldap', port, request: '/dc=x' }), never());
    assert.equal(r.ok, false);
    assert.equal(r.message, 'No answer received');
    assert.match(r.detail ?? '', new RegExp(`^Connection failed: .*ECONNREFUSED ::1:${port}`));
  });
});
