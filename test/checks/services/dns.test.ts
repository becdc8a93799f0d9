// service=dns against Debian's dnsmasq on loopback, over udp and tcp.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { check, dnsQuestion } from '../../../src/checks/services/dns.js';
import { startTcpBlackhole, startUdpBlackhole } from '../../helpers/servers/blackhole.js';
import { type DnsServer, startDnsmasq } from '../../helpers/servers/dnsmasq.js';
import { freePort } from '../../helpers/servers/ports.js';
import { makeCtx, never } from './context.js';
import { needsRoot } from '../../helpers/servers/root.js';

describe('dns question (Net::DNS search: addresses become PTR lookups)', () => {
  it('asks A for names and PTR for IPv4/IPv6 addresses', () => {
    assert.deepEqual(dnsQuestion('/www.example.com'), { type: 'A', name: 'www.example.com' });
    assert.deepEqual(dnsQuestion('/192.0.2.10'), { type: 'PTR', name: '10.2.0.192.in-addr.arpa' });
    assert.deepEqual(dnsQuestion('2001:db8::1'), {
      type: 'PTR',
      name: '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    });
  });
});

describe('dns check against dnsmasq (messages in check_dns words, specifics in detail)', { timeout: 60_000, skip: needsRoot }, () => {
  let dns: DnsServer;
  before(async () => {
    dns = await startDnsmasq({ 'www.haldir.test': '10.9.8.7' });
  });
  after(async () => {
    await dns?.stop();
  });

  it('is up when the A answer matches receive, over udp and tcp', async () => {
    for (const protocol of ['udp', 'tcp'] as const) {
      const r = await check(
        makeCtx({ service: 'dns', port: dns.port, protocol, request: '/www.haldir.test', receive: /^10\.9\.8\.7$/ }),
        never(),
      );
      assert.equal(r.ok, true, `${protocol}: ${r.message}`);
      assert.equal(r.message, 'Success');
      assert.equal(r.detail, `A www.haldir.test over ${protocol}: A 10.9.8.7`);
    }
  });

  it('is up when the PTR answer for an address matches receive', async () => {
    const r = await check(makeCtx({ service: 'dns', port: dns.port, request: '/10.9.8.7', receive: /www\.haldir/ }), never());
    assert.equal(r.ok, true, r.message);
    assert.equal(r.message, 'Success');
    assert.match(r.detail ?? '', /PTR www\.haldir\.test$/);
  });

  it('is down on a mismatch, an unknown name, or no receive at all', async () => {
    const mismatch = await check(makeCtx({ service: 'dns', port: dns.port, request: '/www.haldir.test', receive: /10\.0\.0\.1/ }), never());
    assert.equal(mismatch.ok, false);
    assert.equal(mismatch.message, 'Response mismatch');
    assert.match(mismatch.detail ?? '', /got A 10\.9\.8\.7; nothing matches receive/);
    const unknown = await check(makeCtx({ service: 'dns', port: dns.port, request: '/nope.haldir.test', receive: /./ }), never());
    assert.equal(unknown.ok, false);
    assert.equal(unknown.message, 'Connection timed out');
    assert.match(unknown.detail ?? '', /no answer \((REFUSED|NXDOMAIN)\)/);
    const noReceive = await check(makeCtx({ service: 'dns', port: dns.port, request: '/www.haldir.test' }), never());
    assert.equal(noReceive.ok, false);
    assert.equal(noReceive.message, 'Response mismatch');
    assert.match(noReceive.detail ?? '', /no receive is set/);
  });

  it('is down when nothing listens (tcp refused; udp unanswered or refused)', async () => {
    const port = await freePort();
    const tcp = await check(makeCtx({ service: 'dns', port, protocol: 'tcp', request: '/a.test', receive: /./ }), never());
    assert.equal(tcp.ok, false);
    assert.equal(tcp.message, 'Connection timed out');
    assert.match(tcp.detail ?? '', /ECONNREFUSED/);
    const udp = await check(makeCtx({ service: 'dns', port, protocol: 'udp', request: '/a.test', receive: /./, timeoutMs: 500 }), never());
    assert.equal(udp.ok, false);
    assert.equal(udp.message, 'Connection timed out');
    assert.match(udp.detail ?? '', /ECONNREFUSED|no answer within/);
  });

  it('is down at the timeout when the server never answers, and retransmits over udp', async () => {
    const udpHole = await startUdpBlackhole();
    const tcpHole = await startTcpBlackhole();
    try {
      const u = await check(makeCtx({ service: 'dns', port: udpHole.port, request: '/a.test', receive: /./, timeoutMs: 1500 }), never());
      assert.equal(u.ok, false);
      assert.equal(u.message, 'Connection timed out');
      assert.equal(u.detail, 'no answer within 1500 ms');
      assert.ok(udpHole.received() >= 2, `expected a retransmission, saw ${udpHole.received()} queries`);
      const t = await check(
        makeCtx({ service: 'dns', port: tcpHole.port, protocol: 'tcp', request: '/a.test', receive: /./, timeoutMs: 300 }),
        never(),
      );
      assert.equal(t.ok, false);
      assert.equal(t.message, 'Connection timed out');
      assert.equal(t.detail, 'no answer within 300 ms');
    } finally {
      await udpHole.stop();
      await tcpHole.stop();
    }
  });
});
