// Scheduler timelines on a ManualClock with scripted probes, plus maintenancedir and
// monitorfile against real files.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MaintenanceDir, maintenanceNames } from '../../src/checks/maintenance.js';
import { escapeMonitorMessage, monitorLine, MonitorFileWriter, perlLocaltime } from '../../src/checks/monitorfile.js';
import type { Phase, ProbeOutcome } from '../../src/checks/run-check.js';
import { CheckScheduler, defaultMaxConcurrent, phaseOffsetMs } from '../../src/checks/scheduler.js';
import { planChecks, realIdStr, type CheckTarget } from '../../src/checks/target.js';
import type { Transition } from '../../src/checks/tracker.js';
import type { VirtualService } from '../../src/config/model.js';
import { ManualClock, systemClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';
import { makeReal, makeVirtual, startSilent } from './fixtures.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Advances the manual clock in small steps, letting probe promises settle in between. */
async function advance(clock: ManualClock, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await flush();
    await flush();
  }
}

type Script = (t: CheckTarget, phase: Phase, signal: AbortSignal, at: number) => Promise<ProbeOutcome> | ProbeOutcome;

function harness(virtuals: VirtualService[], script: Script, extra: { maxConcurrent?: number } = {}) {
  const clock = new ManualClock();
  const logger = new MemoryLogger();
  const transitions: (Transition & { at: number })[] = [];
  const calls: { host: string; at: number }[] = [];
  const sched = new CheckScheduler(planChecks(virtuals, 'h'), {
    clock,
    logger,
    ...extra,
    onTransition: (t) => transitions.push({ ...t, at: clock.now() }),
    runProbe: async (t, phase, signal) => {
      calls.push({ host: t.ctx.host, at: clock.now() });
      return script(t, phase, signal, clock.now());
    },
  });
  return { clock, logger, transitions, calls, sched };
}

const up = (): ProbeOutcome => ({ result: { ok: true, message: '200 OK', durationMs: 1 }, monitorMessage: '200 OK' });
const down = (): ProbeOutcome => ({ result: { ok: false, message: '503 Service Unavailable', durationMs: 1 }, monitorMessage: '503' });
const never = (): Promise<ProbeOutcome> => new Promise(() => undefined);

describe('scheduler', () => {
  it('checks each real every checkinterval and applies failurecount on the timeline', async () => {
    const v = makeVirtual({ checkinterval: 10, failurecount: 2, reals: [makeReal()] });
    // up until t=35s, down after
    const h = harness([v], (_t, _p, _s, at) => (at < 35_000 ? up() : down()));
    h.sched.start();
    await advance(h.clock, 80_000);
    h.sched.stop();
    const gaps = h.calls.slice(1).map((c, i) => c.at - h.calls[i]!.at);
    assert.ok(gaps.every((g) => g === 10_000), `gaps ${gaps.join(',')}`);
    assert.equal(h.calls.length, 8);
    const off = phaseOffsetMs(planChecks([v], 'h')[0]!.target.key, 10_000);
    assert.equal(h.calls[0]!.at, off);
    assert.deepEqual(h.transitions.map((t) => t.state), ['up', 'down']);
    // first failed check at the first run >= 35s, down one interval later (failure 2/2)
    const firstFail = h.calls.find((c) => c.at >= 35_000)!.at;
    const downAt = h.transitions[1]!.at - (firstFail + 10_000);
    assert.ok(downAt >= 0 && downAt <= 100, `down ${downAt} ms after the second failed check`);
    assert.deepEqual(h.logger.messages(), [
      'Resetting soft failure count: 127.0.0.1:80 (tcp:10.0.0.1:80)',
      'Soft failure real server: 127.0.0.1:80 (tcp:10.0.0.1:80) failure 1/2',
    ]);
    assert.equal(h.clock.pendingCount, 0, 'stop() leaves no timer behind');
    // and it can start again
    const before = h.calls.length;
    h.sched.start();
    await advance(h.clock, 20_000);
    h.sched.stop();
    assert.equal(h.calls.length - before, 2);
  });

  it('spreads first checks over the interval instead of firing them all at once', async () => {
    const reals = Array.from({ length: 200 }, (_, i) => makeReal({ address: `127.0.${i >> 8}.${(i & 255) + 1}` }));
    const h = harness([makeVirtual({ checkinterval: 10, reals })], () => up());
    h.sched.start();
    await advance(h.clock, 10_000, 50);
    h.sched.stop();
    assert.equal(h.calls.length, 200);
    const perSecond = new Array(10).fill(0) as number[];
    for (const c of h.calls) perSecond[Math.floor(c.at / 1000)]!++;
    assert.ok(Math.max(...perSecond) <= 40, `per-second buckets ${perSecond.join(',')}`);
    assert.ok(Math.min(...perSecond) >= 5, `per-second buckets ${perSecond.join(',')}`);
  });

  it('a hung check is cut off at its timeout and never delays the others', async () => {
    const hung = makeReal({ address: '127.0.0.66' });
    const fine = makeReal({ address: '127.0.0.1' });
    const v = makeVirtual({ checkinterval: 1, negotiatetimeout: 3, reals: [hung, fine] });
    const aborted: number[] = [];
    const h = harness([v], (t, _p, signal) => {
      if (t.ctx.host !== '127.0.0.66') return up();
      signal.addEventListener('abort', () => aborted.push(h.clock.now()));
      return never(); // ignores its signal: the scheduler must abandon it
    });
    h.sched.start();
    await advance(h.clock, 20_000, 50);
    h.sched.stop();
    const fineRuns = h.calls.filter((c) => c.host === '127.0.0.1');
    const hungRuns = h.calls.filter((c) => c.host === '127.0.0.66');
    assert.ok(fineRuns.length >= 19, `fine real checked ${fineRuns.length} times in 20 s`);
    assert.ok(hungRuns.length >= 5 && hungRuns.length <= 7, `hung real started ${hungRuns.length} times`);
    assert.ok(aborted.length >= 5);
    assert.ok(h.transitions.some((t) => t.real === '127.0.0.1:80' && t.state === 'up'));
    assert.ok(!h.transitions.some((t) => t.real === '127.0.0.66:80' && t.state === 'up'));
  });

  it('a concurrency cap of 1 with a hanging check does not starve the others (timeouts free slots)', async () => {
    const reals = ['127.0.0.66', '127.0.0.1', '127.0.0.2'].map((address) => makeReal({ address }));
    const v = makeVirtual({ checkinterval: 2, negotiatetimeout: 1, reals });
    const h = harness([v], (t) => (t.ctx.host === '127.0.0.66' ? never() : up()), { maxConcurrent: 1 });
    h.sched.start();
    await advance(h.clock, 20_000, 50);
    const st = h.sched.stats();
    h.sched.stop();
    for (const host of ['127.0.0.66', '127.0.0.1', '127.0.0.2']) {
      const n = h.calls.filter((c) => c.host === host).length;
      assert.ok(n >= 7, `${host} ran ${n} times`);
    }
    assert.ok(st.inFlight <= 1);
  });

  it('survives a probe that throws: the real is down, the others go on', async () => {
    const reals = ['127.0.0.1', '127.0.0.9'].map((address) => makeReal({ address }));
    const h = harness([makeVirtual({ checkinterval: 1, reals })], (t) => {
      if (t.ctx.host === '127.0.0.9') throw new Error('boom');
      return up();
    });
    h.sched.start();
    await advance(h.clock, 3_000);
    h.sched.stop();
    assert.ok(h.calls.filter((c) => c.host === '127.0.0.9').length >= 3);
    assert.deepEqual(h.transitions.map((t) => `${t.real}:${t.state}`), ['127.0.0.1:80:up']);
  });

  it('runs an identical check once per round and feeds every virtual', async () => {
    const real = makeReal({ address: '127.0.0.5' });
    const va = makeVirtual({ address: '10.0.0.1', reals: [real], checkinterval: 5 });
    const vb = makeVirtual({ address: '10.0.0.2', reals: [real], checkinterval: 5 });
    const vc = makeVirtual({ address: '10.0.0.3', reals: [real], checkinterval: 5, request: '/other', httpmethod: 'HEAD' });
    const h = harness([va, vb, vc], () => up());
    h.sched.start();
    await advance(h.clock, 5_000);
    h.sched.stop();
    assert.equal(h.sched.stats().jobs, 2);
    assert.equal(h.calls.length, 2, 'one probe for va+vb, one for vc');
    assert.deepEqual(h.transitions.map((t) => t.virtualId).sort(), ['tcp:10.0.0.1:80', 'tcp:10.0.0.2:80', 'tcp:10.0.0.3:80']);
  });

  it('keeps running jobs across replaceJobs and stops removed ones', async () => {
    const a = makeReal({ address: '127.0.0.1' });
    const b = makeReal({ address: '127.0.0.2' });
    const h = harness([makeVirtual({ reals: [a, b], checkinterval: 1 })], () => up());
    h.sched.start();
    await advance(h.clock, 3_000);
    h.sched.replaceJobs(planChecks([makeVirtual({ reals: [a], checkinterval: 1 })], 'h'));
    const before = h.calls.length;
    await advance(h.clock, 3_000);
    h.sched.stop();
    const after = h.calls.slice(before);
    assert.ok(after.length >= 3 && after.every((c) => c.host === '127.0.0.1'));
    assert.equal(h.clock.pendingCount, 0);
  });

  it('forces a real in maintenance down without probing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haldir-maint-'));
    try {
      const clock = new ManualClock();
      const lookups: string[] = [];
      const maint = new MaintenanceDir(dir, clock, async (ip) => {
        lookups.push(ip);
        return ip === '127.0.0.2' ? 'web2.example.test' : undefined;
      }, { dirCacheMs: 0 });
      writeFileSync(join(dir, '127.0.0.1:80'), '');
      assert.equal(await maint.match('127.0.0.1', 80), '127.0.0.1:80');
      assert.equal(await maint.match('127.0.0.1', 81), undefined);
      assert.deepEqual(lookups, [], 'address-only directory: no reverse DNS');
      writeFileSync(join(dir, 'web2'), '');
      // the reverse lookup runs in the background: the first match does not wait for it
      assert.equal(await maint.match('127.0.0.2', 8080), undefined);
      await new Promise((r) => setImmediate(r));
      assert.equal(await maint.match('127.0.0.2', 8080), 'web2');
      assert.equal(await maint.match('127.0.0.2', 8080), 'web2');
      assert.deepEqual(lookups.filter((l) => l === '127.0.0.2'), ['127.0.0.2'], 'cached');
      assert.deepEqual(maintenanceNames('[::1]', 80, 'db1.example.test'), ['[::1]:80', '[::1]', 'db1.example.test:80', 'db1.example.test', 'db1:80', 'db1']);

      const logger = new MemoryLogger();
      const transitions: Transition[] = [];
      let probes = 0;
      const sched = new CheckScheduler(planChecks([makeVirtual({ checkinterval: 1, reals: [makeReal({ address: '127.0.0.1' })] })], 'h'), {
        clock, logger, maintenance: maint, onTransition: (t) => transitions.push(t),
        runProbe: async () => {
          probes++;
          return up();
        },
      });
      sched.tracker.seed(planChecks([makeVirtual({ checkinterval: 1, reals: [makeReal({ address: '127.0.0.1' })] })], 'h')[0]!.subscribers[0]!.healthKey, 'up');
      sched.start();
      // the maintenance lookup reads the directory (real I/O): give it real time per step
      for (let i = 0; i < 40 && transitions.length === 0; i++) {
        clock.advance(100);
        await new Promise((r) => setTimeout(r, 10));
      }
      sched.stop();
      assert.equal(probes, 0);
      assert.deepEqual(transitions.map((t) => `${t.state}:${t.message}`), ['down:Server in maintenance']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('defaultMaxConcurrent', () => {
  it('is half the open-file limit, clamped to 64..8192', () => {
    const lim = (soft: string): string => `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                1048576              files\n`;
    assert.equal(defaultMaxConcurrent(lim('20000')), 8192);
    assert.equal(defaultMaxConcurrent(lim('4096')), 2048);
    assert.equal(defaultMaxConcurrent(lim('1024')), 512);
    assert.equal(defaultMaxConcurrent(lim('64')), 64);
    assert.equal(defaultMaxConcurrent(lim('unlimited')), 8192);
    assert.equal(defaultMaxConcurrent('garbage'), 1024);
  });
});

describe('monitorfile', () => {
  it('formats lines like service_set', () => {
    const v = makeVirtual({ reals: [makeReal({ address: '127.0.0.1', port: 80, weight: 2 })] });
    const id = realIdStr(v, v.reals[0]!);
    assert.equal(id, 'negotiate:http:tcp:127.0.0.1:80:::2:gate:\\/:');
    const wall = new Date(2026, 0, 5, 7, 8, 9).getTime();
    assert.equal(perlLocaltime(wall), 'Mon Jan  5 07:08:09 2026');
    assert.equal(monitorLine(wall, 42, id, 'up', '200 OK'), '[Mon Jan  5 07:08:09 2026] [42] negotiate http tcp 127.0.0.1 80 2 gate /  [up] 200 OK\n');
    assert.equal(escapeMonitorMessage('a|b\r\nc%'), 'a%7cb%0d%0ac%25');
    // ids as ldirectord 4.12 wrote them for these virtuals (captured from its monitorfile)
    const ext = makeVirtual({ address: '10.255.0.3', port: 81, check: { kind: 'external', command: '/tmp/ldt/ext.sh' }, reals: [makeReal({ port: 25001, forward: 'masq', weight: 2 })] });
    assert.equal(monitorLine(wall, 1, realIdStr(ext, ext.reals[0]!), 'up', '-'), '[Mon Jan  5 07:08:09 2026] [1] external /tmp/ldt/ext.sh tcp 127.0.0.1 25001 2 masq /  [up] -\n');
    const fwm = makeVirtual({ protocol: 'fwm', fwmark: 7, address: undefined, port: 0, id: 'fwm:7', check: { kind: 'external', command: '/tmp/ldt/ext.sh' }, reals: [makeReal({ port: 25001 })] });
    assert.equal(monitorLine(wall, 1, realIdStr(fwm, fwm.reals[0]!), 'up', '-'), '[Mon Jan  5 07:08:09 2026] [1] external /tmp/ldt/ext.sh fwm 127.0.0.1 25001 1 gate /  [up] -\n');
    const withReceive = makeVirtual({ reals: [makeReal({ port: 25004, weight: 3, request: '/x', receive: 'OK', ownRequest: true })] });
    assert.equal(monitorLine(wall, 1, realIdStr(withReceive, withReceive.reals[0]!), 'down', 'no|ok'), '[Mon Jan  5 07:08:09 2026] [1] negotiate http tcp 127.0.0.1 25004 3 gate /x OK [down] no%7cok\n');
  });

  it('gets one line per check from the scheduler, with real connect probes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haldir-mon-'));
    const srv = await startSilent();
    try {
      const file = join(dir, 'monitor.log');
      const logger = new MemoryLogger();
      const monitor = new MonitorFileWriter(logger);
      const v = makeVirtual({ check: { kind: 'connect' }, checkinterval: 1, monitorfile: file, reals: [makeReal({ port: srv.port })] });
      const sched = new CheckScheduler(planChecks([v], 'h'), { clock: systemClock(), logger, monitor, pid: 4242 });
      sched.start();
      const t0 = Date.now();
      while (sched.stats().minRuns < 2 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
      sched.stop();
      await monitor.flush();
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      assert.ok(lines.length >= 2);
      for (const l of lines) assert.match(l, new RegExp(`^\\[\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\\] \\[4242\\] connect tcp 127\\.0\\.0\\.1 ${srv.port} 1 gate /  \\[up\\] -$`));
    } finally {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
