// Checks against addresses that never answer (SYNs and echoes dropped by nftables inside
// a network namespace the test creates), the 2,000-real scale round, and handle
// hygiene after rounds against hostile servers. Needs root for the namespace.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkConnect } from '../../src/checks/connect.js';
import { checkPing } from '../../src/checks/ping.js';
import { CheckScheduler } from '../../src/checks/scheduler.js';
import { check as httpCheck } from '../../src/checks/services/http.js';
import { buildTarget, planChecks } from '../../src/checks/target.js';
import type { Transition } from '../../src/checks/tracker.js';
import type { RealServer } from '../../src/config/model.js';
import { startFarm } from './farm-client.js';
import { systemClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';
import {
  closedPort, createBlackhole, isRoot, makeReal, makeVirtual, startHttp, startSilent, startTcp,
  waitFor, type Blackhole, type Served,
} from './fixtures.js';

const skip = isRoot() ? false : 'needs root (creates a network namespace with an nftables drop rule); CI runs as root';

describe('blackholed addresses', { skip }, () => {
  let bh: Blackhole;
  before(async () => {
    bh = await createBlackhole();
  });
  after(async () => {
    await bh?.destroy();
  });

  it('connect to a blackholed address times out at checktimeout', async () => {
    const [addr] = bh.addresses(1);
    const t0 = performance.now();
    const res = await checkConnect(addr!, 80, AbortSignal.timeout(700));
    const took = performance.now() - t0;
    assert.equal(res.ok, false);
    assert.match(res.message, /timed out/);
    assert.ok(took >= 600 && took < 3000, `took ${took} ms`);
  });

  it('negotiate http to a blackholed address times out', async () => {
    const [addr] = bh.addresses(2).slice(1);
    const real = makeReal({ address: addr!, port: 80 });
    const ctx = buildTarget(makeVirtual({ reals: [real] }), real, 'h').ctx;
    const res = await httpCheck(ctx, AbortSignal.timeout(500));
    assert.equal(res.ok, false);
    assert.equal(res.message, '500 Timeout Alarm');
  });

  it('ping to a blackholed address is down after checkcount attempts', async () => {
    const [addr] = bh.addresses(1);
    const t0 = performance.now();
    const res = await checkPing(addr!, 2, 1000, AbortSignal.timeout(5000));
    assert.equal(res.ok, false);
    assert.ok(performance.now() - t0 >= 1500, 'two attempts of ~1 s each');
  });

  it('scale: 2,000 reals, 2% blackholed, complete a full round within checkinterval + checktimeout', async () => {
    const interval = 4;
    const timeout = 3;
    // 1,960 live reals (49 addresses x 40 ports) served by another process
    const farm = await startFarm(3, 49, 40, 21000);
    try {
      const dark = bh.addresses(40);
      const reals: RealServer[] = [
        ...farm.reals.map(([address, port]) => makeReal({ address, port })),
        ...dark.map((address) => makeReal({ address, port: 80 })),
      ];
      assert.equal(reals.length, 2000);
      const v = makeVirtual({ checkinterval: interval, negotiatetimeout: timeout, checktimeout: timeout, receive: 'OK', reals });
      const transitions: Transition[] = [];
      const sched = new CheckScheduler(planChecks([v], 'h'), {
        clock: systemClock(),
        logger: new MemoryLogger(),
        onTransition: (t) => transitions.push(t),
      });
      const t0 = performance.now();
      sched.start();
      try {
        await waitFor(() => sched.stats().minRuns >= 1, (interval + timeout) * 1000 + 5000, 'a full round');
      } finally {
        sched.stop();
      }
      const round = performance.now() - t0;
      // generous bound: the interval + timeout, plus 2 s of slack for a loaded CI box
      assert.ok(round <= (interval + timeout) * 1000 + 2000, `full round took ${Math.round(round)} ms`);
      const upReals = new Set(transitions.filter((t) => t.state === 'up').map((t) => t.real));
      assert.equal(upReals.size, 1960);
      for (const address of dark) assert.ok(!upReals.has(`${address}:80`));
    } finally {
      await farm.stop();
    }
  });
});

describe('resource hygiene', () => {
  it('leaves no sockets or timers behind after rounds against hostile servers', async () => {
    const hostile: Served[] = [];
    hostile.push(await startSilent()); // accepts, never answers (and a stalled TLS handshake for https)
    hostile.push(
      await startHttp((_req, res) => {
        res.writeHead(200);
        const t = setInterval(() => res.write('z'.repeat(65536)), 1);
        res.on('close', () => clearInterval(t));
      }),
    ); // endless body
    hostile.push(await startTcp((s) => s.end('garbage\r\n\r\n'))); // not HTTP
    const tlsSilent = hostile[0]!;
    const refused = await closedPort();
    const reals = [
      ...hostile.map((s) => makeReal({ port: s.port })),
      makeReal({ port: refused }),
    ];
    const vHttp = makeVirtual({ checkinterval: 1, negotiatetimeout: 1, reals });
    const vHttps = makeVirtual({ address: '10.0.0.2', service: 'https', port: 443, checkinterval: 1, negotiatetimeout: 1, reals: [makeReal({ port: tlsSilent.port })] });
    const vConnect = makeVirtual({ address: '10.0.0.3', check: { kind: 'connect' }, checkinterval: 1, checktimeout: 1, reals: [makeReal({ port: refused }), makeReal({ port: tlsSilent.port })] });
    const count = (): Map<string, number> => {
      const m = new Map<string, number>();
      for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
      return m;
    };
    await new Promise((r) => setTimeout(r, 50));
    const before = count();
    const sched = new CheckScheduler(planChecks([vHttp, vHttps, vConnect], 'h'), { clock: systemClock(), logger: new MemoryLogger() });
    sched.start();
    try {
      await waitFor(() => sched.stats().minRuns >= 3, 15_000, 'three rounds');
    } finally {
      sched.stop();
    }
    // close the servers (and the sockets they accepted): what is left is the checker's
    await Promise.all(hostile.map((s) => s.close()));
    await new Promise((r) => setTimeout(r, 200));
    const afterCount = count();
    for (const kind of ['TCPSocketWrap', 'TCPWRAP', 'Timeout', 'TLSWrap']) {
      assert.ok((afterCount.get(kind) ?? 0) <= (before.get(kind) ?? 0), `${kind}: before ${before.get(kind) ?? 0}, after ${afterCount.get(kind) ?? 0}`);
    }
  });
});
