// The four cases every sql check gets against its real server (mysql, pgsql): the
// server exposes database `health` with one row in `up_flag` and none in `empty_flag`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceName } from '../../../src/config/model.js';
import type { ServiceCheck, ServiceCheckContext } from '../../../src/checks/types.js';
import { startTcpBlackhole } from '../../helpers/servers/blackhole.js';
import { freeTcpPort } from '../../helpers/servers/ports.js';
import { makeCtx, never } from './context.js';
import { needsRoot } from '../../helpers/servers/root.js';

export interface SqlServer {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  stop(): Promise<void>;
}

export interface SqlSuite {
  readonly service: ServiceName;
  /** Name in check messages. */
  readonly engine: string;
  readonly server: string;
  readonly check: ServiceCheck;
  readonly start: () => Promise<SqlServer>;
  /** What the server says about a wrong password. */
  readonly authError: RegExp;
}

export function describeSqlCheck(s: SqlSuite): void {
  describe(`${s.service} check against ${s.server}`, { timeout: 120_000, skip: needsRoot }, () => {
    let db: SqlServer;
    before(async () => {
      db = await s.start();
    });
    after(async () => {
      await db?.stop();
    });
    const ctx = (over: Partial<Omit<ServiceCheckContext, 'receive'>>): ServiceCheckContext =>
      makeCtx({ service: s.service, port: db.port, login: db.user, passwd: db.password, database: db.database, request: '/SELECT ok FROM up_flag', ...over });

    it('is up when the query returns a row', async () => {
      const r = await s.check(ctx({}), never());
      assert.equal(r.ok, true, r.message);
      assert.equal(r.message, `${s.engine}: query returned 1 row(s)`);
    });

    it('is down when the query returns no rows or fails', async () => {
      const empty = await s.check(ctx({ request: '/SELECT ok FROM empty_flag' }), never());
      assert.equal(empty.ok, false);
      assert.equal(empty.message, `${s.engine}: query returned no rows`);
      const bad = await s.check(ctx({ request: '/SELECT ok FROM no_such_table' }), never());
      assert.equal(bad.ok, false);
      assert.match(bad.message, /query failed: .*no_such_table/);
    });

    it('is down on a wrong password, a missing login or a missing query', async () => {
      const pw = await s.check(ctx({ passwd: 'wrong' }), never());
      assert.equal(pw.ok, false);
      assert.match(pw.message, /cannot connect or log in as checker: /);
      assert.match(pw.message, s.authError);
      const nologin = await s.check(ctx({ login: '' }), never());
      assert.equal(nologin.ok, false);
      assert.match(nologin.message, /set login= and request=/);
      const noquery = await s.check(ctx({ request: '/' }), never());
      assert.equal(noquery.ok, false);
      assert.match(noquery.message, /set login= and request=/);
    });

    it('is down when nothing listens', async () => {
      const r = await s.check(ctx({ port: await freeTcpPort() }), never());
      assert.equal(r.ok, false);
      assert.match(r.message, /ECONNREFUSED/);
    });

    it('is down at the timeout when the server never answers', async () => {
      const hole = await startTcpBlackhole();
      try {
        const r = await s.check(ctx({ port: hole.port, timeoutMs: 400 }), never());
        assert.equal(r.ok, false);
        assert.match(r.message, /no answer within 400 ms|timeout/i);
        assert.ok(r.durationMs < 3000);
      } finally {
        await hole.stop();
      }
    });
  });
}
