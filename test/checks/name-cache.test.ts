// Name lookups off the check path: a real DNS server that swallows every query (UDP on
// loopback) behind a c-ares resolver, and a real HTTP redirect to a host name.
import assert from 'node:assert/strict';
import { promises as dnsp } from 'node:dns';
import { describe, it } from 'node:test';
import { NameCache, NameLookupBusyError } from '../../src/checks/name-cache.js';
import { check as httpCheck, redirectHosts } from '../../src/checks/services/http.js';
import { buildTarget } from '../../src/checks/target.js';
import { systemClock } from '../../src/runtime/clock.js';
import { startUdpBlackhole } from '../helpers/servers/blackhole.js';
import { makeReal, makeVirtual, startHttp } from './fixtures.js';

describe('NameCache with a DNS server that never answers', () => {
  it('peek never waits, get is bounded by its signal, lookups in flight are bounded, and busy slots fail fast', async () => {
    const swallow = await startUdpBlackhole();
    const r = new dnsp.Resolver({ timeout: 1500, tries: 1 });
    r.setServers([`127.0.0.1:${swallow.port}`]);
    let inFlight = 0;
    let peak = 0;
    const cache = new NameCache<string>(
      async (name) => {
        peak = Math.max(peak, ++inFlight);
        try {
          return (await r.resolve4(name))[0]!;
        } finally {
          inFlight--;
        }
      },
      { clock: systemClock(), maxInFlight: 2, ttlMs: 60_000, retryMs: 60_000 },
    );
    try {
      const t0 = performance.now();
      for (let i = 0; i < 10; i++) assert.deepEqual(cache.peek(`n${i}.haldir.test`), { known: false, value: undefined });
      assert.ok(performance.now() - t0 < 200, 'peek did not wait');
      // two slots busy with n0/n1: a new name is refused at once instead of queueing behind them
      await assert.rejects(cache.get('fresh.haldir.test', AbortSignal.timeout(5000)), NameLookupBusyError);
      // a name already in flight: waits, but only as long as the caller's signal allows
      const t1 = performance.now();
      await assert.rejects(cache.get('n0.haldir.test', AbortSignal.timeout(300)), /timed out/);
      assert.ok(performance.now() - t1 < 1200, 'bounded by the signal, not by the resolver');
      // every queued name is tried in turn, never more than two at a time
      const deadline = Date.now() + 30_000;
      while (swallow.received() < 10 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      assert.ok(swallow.received() >= 10, `timed out waiting for the 10 queries, got ${swallow.received()}`);
      assert.ok(peak <= 2, `peak lookups in flight ${peak}`);
      assert.equal(cache.peakInFlight, peak);
    } finally {
      r.cancel();
      await swallow.stop();
    }
  });
});

describe('http redirect to a host name', () => {
  it('resolves the name through the cache and connects to its address', async () => {
    const srv = await startHttp((req, res) => {
      if (req.url === '/start') res.writeHead(302, { location: `http://localhost:${(req.socket.localPort ?? 0)}/there` }).end();
      else res.end(`arrived with Host ${req.headers.host}`);
    });
    try {
      const real = makeReal({ address: '127.0.0.1', port: srv.port, request: '/start', receive: 'arrived' });
      const res = await httpCheck(buildTarget(makeVirtual({ reals: [real] }), real, 'h').ctx, AbortSignal.timeout(5000));
      assert.equal(res.ok, true, res.message);
      assert.deepEqual(redirectHosts.peek('localhost'), { known: true, value: '127.0.0.1' });
    } finally {
      await srv.close();
    }
  });
});
