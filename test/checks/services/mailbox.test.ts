// service=pop/pops/imap/imaps against Debian's dovecot started on loopback.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as imap from '../../../src/checks/services/imap.js';
import * as pop from '../../../src/checks/services/pop.js';
import type { ServiceName } from '../../../src/config/model.js';
import type { ServiceCheck } from '../../../src/checks/types.js';
import { startBannerServer } from '../../helpers/servers/banner.js';
import { startTcpBlackhole } from '../../helpers/servers/blackhole.js';
import { type DovecotServer, startDovecot } from '../../helpers/servers/dovecot.js';
import { freeTcpPort } from '../../helpers/servers/ports.js';
import { makeCtx, never } from './context.js';
import { needsRoot } from '../../helpers/servers/root.js';

describe('pop/imap checks against dovecot', { timeout: 120_000, skip: needsRoot }, () => {
  let dc: DovecotServer;
  before(async () => {
    dc = await startDovecot();
  });
  after(async () => {
    await dc?.stop();
  });
  const variants = (): Array<{ service: ServiceName; port: number; run: ServiceCheck }> => [
    { service: 'pop', port: dc.pop3, run: pop.check },
    { service: 'pops', port: dc.pop3s, run: pop.check },
    { service: 'imap', port: dc.imap, run: imap.check },
    { service: 'imaps', port: dc.imaps, run: imap.check },
  ];

  it('is up on the greeting alone when no login is set', async () => {
    for (const v of variants()) {
      const r = await v.run(makeCtx({ service: v.service, port: v.port }), never());
      assert.equal(r.ok, true, `${v.service}: ${r.message}`);
      assert.match(r.message, /greeting/);
    }
  });

  it('is up when the login is accepted', async () => {
    for (const v of variants()) {
      const r = await v.run(makeCtx({ service: v.service, port: v.port, login: dc.user, passwd: dc.password }), never());
      assert.equal(r.ok, true, `${v.service}: ${r.message}`);
      assert.match(r.message, /login as checker accepted/);
    }
  });

  it('is down when the password is wrong', async () => {
    const results = await Promise.all(
      variants().map(async (v) => ({
        v,
        r: await v.run(makeCtx({ service: v.service, port: v.port, login: dc.user, passwd: 'wrong', timeoutMs: 15_000 }), never()),
      })),
    );
    for (const { v, r } of results) {
      assert.equal(r.ok, false, `${v.service} accepted a wrong password`);
      assert.match(r.message, /login as checker refused/);
    }
  });

  it('is down when the server answers with an error greeting (no login set: deliberate fix)', async () => {
    const cases: Array<[ServiceName, ServiceCheck, string]> = [
      ['pop', pop.check, '-ERR maintenance\r\n'],
      ['imap', imap.check, '* BYE maintenance\r\n'],
    ];
    for (const [service, run, banner] of cases) {
      const srv = await startBannerServer(banner);
      try {
        const r = await run(makeCtx({ service, port: srv.port }), never());
        assert.equal(r.ok, false, `${service}: ${r.message}`);
        assert.match(r.message, /greeting refused/);
      } finally {
        await srv.stop();
      }
    }
  });

  it('is down when nothing listens, on plain and TLS ports', async () => {
    for (const service of ['pop', 'pops', 'imap', 'imaps'] as const) {
      const run = service.startsWith('pop') ? pop.check : imap.check;
      const r = await run(makeCtx({ service, port: await freeTcpPort() }), never());
      assert.equal(r.ok, false);
      assert.match(r.message, /ECONNREFUSED/);
    }
  });

  it('is down at the timeout when the server never greets (and during a TLS handshake)', async () => {
    const hole = await startTcpBlackhole();
    try {
      for (const service of ['pop', 'pops', 'imap', 'imaps'] as const) {
        const run = service.startsWith('pop') ? pop.check : imap.check;
        const r = await run(makeCtx({ service, port: hole.port, timeoutMs: 300 }), never());
        assert.equal(r.ok, false);
        assert.match(r.message, /no answer within 300 ms/);
      }
    } finally {
      await hole.stop();
    }
  });
});
