// service=oracle. No Oracle server can run here, so only the paths that do not need
// one are tested, each against something real on loopback: nothing listening, a
// server that is not Oracle, a server that never answers, and the missing-login rule.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { check, oracleConnectString } from '../../../src/checks/services/oracle.js';
import { startTcpBlackhole } from '../../helpers/servers/blackhole.js';
import { freeTcpPort } from '../../helpers/servers/ports.js';
import { makeCtx, never } from './context.js';

const base = { service: 'oracle', login: 'scott', passwd: 'tiger', database: 'ORCL', request: '/SELECT 1 FROM dual' } as const;

describe('oracle check (node-oracledb thin)', { timeout: 60_000 }, () => {
  it('builds the SID connect descriptor ldirectord asks DBD::Oracle for', () => {
    assert.equal(
      oracleConnectString('192.0.2.7', 1521, 'ORCL'),
      '(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=192.0.2.7)(PORT=1521))(CONNECT_DATA=(SID=ORCL)))',
    );
  });

  it('is down without a login or a query, before any I/O', async () => {
    const r = await check(makeCtx({ ...base, port: 9, login: '' }), never());
    assert.equal(r.ok, false);
    assert.match(r.message, /set login= and request=/);
  });

  it('is down with a clear message when nothing listens', async () => {
    const r = await check(makeCtx({ ...base, port: await freeTcpPort() }), never());
    assert.equal(r.ok, false);
    assert.match(r.message, /^Oracle: cannot connect or log in as scott: /);
    assert.match(r.message, /ECONNREFUSED|refused|NJS-5\d\d/i);
  });

  it('is down when the server is not Oracle (an HTTP server answers and hangs up)', async () => {
    const srv = http.createServer((_req, res) => res.end('not a database\n'));
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    try {
      const r = await check(makeCtx({ ...base, port: (srv.address() as AddressInfo).port, timeoutMs: 5000 }), never());
      assert.equal(r.ok, false);
      assert.match(r.message, /^Oracle: cannot connect or log in as scott: NJS-5\d\d/);
      assert.doesNotMatch(r.message, /\n/);
    } finally {
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });

  it('is down at the timeout when the server never answers, and abort returns at once', async () => {
    const hole = await startTcpBlackhole();
    try {
      const r = await check(makeCtx({ ...base, port: hole.port, timeoutMs: 500 }), never());
      assert.equal(r.ok, false);
      assert.match(r.message, /no answer within 500 ms/);
      assert.ok(r.durationMs < 3000);
      const ac = new AbortController();
      const pending = check(makeCtx({ ...base, port: hole.port, timeoutMs: 30_000 }), ac.signal);
      setTimeout(() => ac.abort(), 50);
      const a = await pending;
      assert.equal(a.message, 'check aborted');
    } finally {
      await hole.stop();
    }
  });
});
