// maintenancedir against real servers: HTTP reals on loopback, a real DNS server
// (dnsmasq) answering the reverse lookups, and a DNS server that swallows every query.
// The checks run through the scheduler with the system clock, as in the daemon.
import assert from 'node:assert/strict';
import { promises as dnsp } from 'node:dns';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MaintenanceDir, type ReverseResolver } from '../../src/checks/maintenance.js';
import { CheckScheduler } from '../../src/checks/scheduler.js';
import { planChecks } from '../../src/checks/target.js';
import type { Transition } from '../../src/checks/tracker.js';
import { systemClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';
import { startUdpBlackhole } from '../helpers/servers/blackhole.js';
import { startDnsmasq, type DnsServer } from '../helpers/servers/dnsmasq.js';
import { makeReal, makeVirtual, startHttp, waitFor, type Served } from './fixtures.js';

/** Reverse DNS through one DNS server (c-ares), answering like getnameinfo(NI_NAMEREQD). */
function reverseVia(port: number, timeoutMs: number): ReverseResolver {
  const r = new dnsp.Resolver({ timeout: timeoutMs, tries: 2 });
  r.setServers([`127.0.0.1:${port}`]);
  return async (ip) => {
    try {
      return (await r.reverse(ip))[0];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOTFOUND') return undefined;
      throw e;
    }
  };
}

interface Run {
  readonly transitions: Transition[];
  readonly state: Map<string, 'up' | 'down'>;
  readonly maint: MaintenanceDir;
  stop(): void;
}

function run(dir: string, reals: readonly Served[], resolver: ReverseResolver, dnsTtlMs = 300_000): Run {
  const maint = new MaintenanceDir(dir, systemClock(), resolver, { dirCacheMs: 100, dnsTtlMs });
  const transitions: Transition[] = [];
  const state = new Map<string, 'up' | 'down'>();
  const v = makeVirtual({
    checkinterval: 1, negotiatetimeout: 2, checktimeout: 2,
    reals: reals.map((s) => makeReal({ address: s.host, port: s.port, receive: 'OK' })),
  });
  const sched = new CheckScheduler(planChecks([v], 'h'), {
    clock: systemClock(),
    logger: new MemoryLogger(),
    maintenance: maint,
    onTransition: (t) => {
      transitions.push(t);
      state.set(t.real, t.state);
    },
  });
  sched.start();
  return { transitions, state, maint, stop: () => sched.stop() };
}

const ok = (host: string) => startHttp((_req, res) => res.end('OK'), host);
const label = (s: Served) => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`);

describe('maintenancedir', () => {
  const o2 = 40 + Math.floor(Math.random() * 180);
  const o3 = Math.floor(Math.random() * 250);
  let dir: string;
  const servers: Served[] = [];
  let dns: DnsServer | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'haldir-maint-'));
  });
  after(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await dns?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never waits for reverse DNS: with a DNS server that swallows queries the reals come up and stay up across cache expiries', async () => {
    const swallow = await startUdpBlackhole();
    const reals = await Promise.all(Array.from({ length: 20 }, (_, i) => ok(`127.${o2}.${o3}.${i + 1}`)));
    servers.push(...reals);
    const d = mkdtempSync(join(dir, 'slowdns-'));
    writeFileSync(join(d, 'README'), 'files named after a real put it in maintenance\n'); // a name, not an address: reverse DNS wanted
    let inFlight = 0;
    let peak = 0;
    const slow = reverseVia(swallow.port, 4000);
    const counted: ReverseResolver = async (ip) => {
      peak = Math.max(peak, ++inFlight);
      try {
        return await slow(ip);
      } finally {
        inFlight--;
      }
    };
    // answers expire after 1 s (5 minutes in the daemon): every expiry used to cost every real its check
    const r = run(d, reals, counted, 1000);
    try {
      // before: each check waited for the lookup (8 s here), timed out and left the real down
      await waitFor(() => reals.every((s) => r.state.get(label(s)) === 'up'), 6000, 'all 20 reals up');
      const upAt = r.transitions.length;
      await new Promise((res) => setTimeout(res, 5000));
      assert.deepEqual(r.transitions.slice(upAt).map((t) => `${t.real} ${t.state} ${t.message}`), [], 'no real went down while DNS hung');
      assert.ok(swallow.received() > 0, 'the reverse lookups did go to the DNS server');
      assert.ok(peak <= 2, `at most 2 lookups in flight, saw ${peak}`);
    } finally {
      r.stop();
      await swallow.stop();
    }
  });

  it('puts a real in maintenance by FQDN, FQDN:PORT and short name from reverse DNS, and brings it back when the file goes', async () => {
    const web = await ok(`127.${o2}.${(o3 + 1) % 250}.1`);
    const other = await ok(`127.${o2}.${(o3 + 1) % 250}.2`);
    servers.push(web, other);
    dns = await startDnsmasq({ 'web1.haldir.test': web.host, 'db1.haldir.test': other.host });
    const d = mkdtempSync(join(dir, 'fqdn-'));
    writeFileSync(join(d, 'README'), 'x\n');
    const r = run(d, [web, other], reverseVia(dns.port, 2000));
    const st = (s: Served) => r.state.get(label(s));
    try {
      await waitFor(() => st(web) === 'up' && st(other) === 'up', 10_000, 'both reals up');
      for (const file of ['web1.haldir.test', `web1.haldir.test:${web.port}`, 'web1']) {
        writeFileSync(join(d, file), '');
        await waitFor(() => st(web) === 'down', 10_000, `${file} to put the real in maintenance`);
        assert.equal(r.transitions.at(-1)?.message, 'Server in maintenance');
        unlinkSync(join(d, file));
        // a maintenance hit must not be remembered: the file gone, the real is checked and back
        await waitFor(() => st(web) === 'up', 10_000, `the real back after removing ${file}`);
      }
      // a file for another port or another name leaves it alone
      writeFileSync(join(d, `web1.haldir.test:${web.port + 1}`), '');
      writeFileSync(join(d, 'web2'), '');
      await new Promise((res) => setTimeout(res, 2500));
      assert.equal(st(web), 'up');
      assert.equal(st(other), 'up', 'db1 never matched');
    } finally {
      r.stop();
    }
  });

  it('puts an IPv6 real in maintenance as [addr]:port and [addr], and brings it back', async () => {
    const v6 = await ok('::1');
    const v4 = await ok(`127.${o2}.${(o3 + 2) % 250}.1`);
    servers.push(v6, v4);
    const d = mkdtempSync(join(dir, 'v6-'));
    // address forms only: no reverse DNS is asked for at all
    const asked: string[] = [];
    const r = run(d, [v6, v4], async (ip) => {
      asked.push(ip);
      return undefined;
    });
    const st = (s: Served) => r.state.get(label(s));
    try {
      await waitFor(() => st(v6) === 'up' && st(v4) === 'up', 10_000, 'both reals up');
      for (const file of [`[::1]:${v6.port}`, '[::1]']) {
        writeFileSync(join(d, file), '');
        await waitFor(() => st(v6) === 'down', 10_000, `${file} to put the IPv6 real in maintenance`);
        unlinkSync(join(d, file));
        await waitFor(() => st(v6) === 'up', 10_000, `the IPv6 real back after removing ${file}`);
      }
      writeFileSync(join(d, `${v4.host}:${v4.port}`), '');
      await waitFor(() => st(v4) === 'down', 10_000, 'the IPv4 real in maintenance by IP:PORT');
      assert.equal(st(v6), 'up');
      unlinkSync(join(d, `${v4.host}:${v4.port}`));
      await waitFor(() => st(v4) === 'up', 10_000, 'the IPv4 real back');
      assert.deepEqual(asked, []);
    } finally {
      r.stop();
    }
  });
});
