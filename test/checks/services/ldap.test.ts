// service=ldap/ldaps against Debian's slapd started on loopback.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { check } from '../../../src/checks/services/ldap.js';
import { startTcpBlackhole } from '../../helpers/servers/blackhole.js';
import { freeTcpPort } from '../../helpers/servers/ports.js';
import { type LdapServer, startSlapd } from '../../helpers/servers/slapd.js';
import { makeCtx, never } from './context.js';
import { needsRoot } from '../../helpers/servers/root.js';

describe('ldap check against slapd (messages in check_ldap words, specifics in detail)', { timeout: 60_000, skip: needsRoot }, () => {
  let dir: LdapServer;
  before(async () => {
    dir = await startSlapd();
  });
  after(async () => {
    await dir?.stop();
  });
  const both = (): Array<{ service: 'ldap' | 'ldaps'; port: number }> => [
    { service: 'ldap', port: dir.ldap },
    { service: 'ldaps', port: dir.ldaps },
  ];

  it('is up: anonymous bind, base search finds one entry (ldap and ldaps)', async () => {
    for (const v of both()) {
      const r = await check(makeCtx({ ...v, request: `/ou=people,${dir.suffix}` }), never());
      assert.equal(r.ok, true, `${v.service}: ${r.message}`);
      assert.equal(r.message, 'Success');
      assert.equal(r.detail, `DN ou=people,${dir.suffix}`);
    }
  });

  it('is up with credentials and a receive that matches the DN', async () => {
    for (const v of both()) {
      const r = await check(
        makeCtx({ ...v, request: `/${dir.suffix}`, receive: /^dc=haldir/, login: dir.adminDn, passwd: dir.adminPassword }),
        never(),
      );
      assert.equal(r.ok, true, `${v.service}: ${r.message}`);
    }
  });

  it('is down on a DN mismatch, a missing base entry, or wrong credentials', async () => {
    const mismatch = await check(makeCtx({ service: 'ldap', port: dir.ldap, request: `/ou=people,${dir.suffix}`, receive: /ou=hosts/ }), never());
    assert.equal(mismatch.ok, false);
    assert.equal(mismatch.message, 'Response mismatch');
    const missing = await check(makeCtx({ service: 'ldap', port: dir.ldap, request: `/ou=nobody,${dir.suffix}` }), never());
    assert.equal(missing.ok, false);
    assert.equal(missing.message, 'No answer received');
    assert.match(missing.detail ?? '', /^base ou=nobody/);
    const badpw = await check(
      makeCtx({ service: 'ldaps', port: dir.ldaps, request: `/${dir.suffix}`, login: dir.adminDn, passwd: 'wrong' }),
      never(),
    );
    assert.equal(badpw.ok, false);
    assert.equal(badpw.message, 'No answer received');
    assert.match(badpw.detail ?? '', /^Bind failed as cn=admin/);
  });

  it('is down when nothing listens', async () => {
    const r = await check(makeCtx({ service: 'ldap', port: await freeTcpPort(), request: `/${dir.suffix}` }), never());
    assert.equal(r.ok, false);
    assert.equal(r.message, 'No answer received');
    assert.match(r.detail ?? '', /^Connection failed: .*ECONNREFUSED/);
  });

  it('is down at the timeout when the server never answers (plain and during TLS)', async () => {
    const hole = await startTcpBlackhole();
    try {
      for (const service of ['ldap', 'ldaps'] as const) {
        // ldirectord's alarm is checktimeout: the smaller of the two deadlines wins.
        const r = await check(
          makeCtx({ service, port: hole.port, request: `/${dir.suffix}`, timeoutMs: 30_000, checkTimeoutMs: 400 }),
          never(),
        );
        assert.equal(r.ok, false);
        assert.equal(r.message, 'No answer received');
        assert.equal(r.detail, 'no answer within 400 ms');
        assert.ok(r.durationMs < 3000);
      }
    } finally {
      await hole.stop();
    }
  });
});
