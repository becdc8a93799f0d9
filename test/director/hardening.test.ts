// The director on the injected clock with scripted probes: table commands the kernel
// refuses (the stand-in ipvsadm in its failure mode), an exception in a table round, a
// round racing a reload, the status of a real that never came up, and an autoreload
// that would empty the table. Mail goes to a real SMTP server on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Director, shownHealth } from '../../src/director/director.js';
import { formatStatus } from '../../src/director/status-format.js';
import { parseLdirectordCf } from '../../src/config/parse.js';
import { staticResolver } from '../../src/config/resolver.js';
import { Alerting } from '../../src/alerts/alerting.js';
import { IpvsadmBackend } from '../../src/ipvs/backends/ipvsadm.js';
import { MemoryBackend } from '../../src/ipvs/backends/memory.js';
import type { ApplyReport, IpvsOp, IpvsTable, TableBackend } from '../../src/ipvs/types.js';
import type { ProbeRunner } from '../../src/checks/scheduler.js';
import { ManualClock, systemClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';
import { waitUntil } from '../helpers/http-reals.js';
import { startSmtp, type TestSmtp } from '../alerts/helpers/smtp.js';
import { standInIpvsadm } from '../ipvs/fixtures.js';
import { standIn } from '../ipvs/standin-env.js';

const resolver = staticResolver({ hostname: 'hardening-test' });
const VIP = '10.202.0.1';

function cf(smtpPort: number, virtuals: readonly { vip: string; reals: readonly string[] }[], extra = ''): string {
  return [
    'checkinterval=1',
    'checktimeout=1',
    'quiescent=no',
    'autoreload=yes',
    'emailalert="ops@example.com"',
    `smtp=127.0.0.1:${smtpPort}`,
    extra,
    ...virtuals.flatMap((v) => [`virtual=${v.vip}:80`, ...v.reals.map((r) => `\treal=${r}:80 masq`), '\tchecktype=connect', '']),
  ].join('\n');
}

/** Scripted probes: by real address, 'ok', 'fail' or 'throw' (default ok). */
function scripted(): { runProbe: ProbeRunner; set(server: string, how: 'ok' | 'fail' | 'throw'): void } {
  const how = new Map<string, 'ok' | 'fail' | 'throw'>();
  return {
    set: (server, h) => void how.set(server, h),
    runProbe: async (target) => {
      const h = how.get(target.server) ?? 'ok';
      if (h === 'throw') throw new TypeError(`probe exploded for ${target.server}`);
      return { result: { ok: h === 'ok', message: h === 'ok' ? 'connect ok' : 'connect: connection refused', durationMs: 0 }, monitorMessage: undefined };
    },
  };
}

interface Rig {
  dir: string;
  file: string;
  clock: ManualClock;
  logger: MemoryLogger;
  smtp: TestSmtp;
  alerting: Alerting;
  director: Director;
  probes: ReturnType<typeof scripted>;
  /** Advances the injected clock and lets every probe, round and retry it caused finish. */
  step(ms: number, opts?: { settle?: boolean }): Promise<void>;
  close(): Promise<void>;
}

async function rig(backend: TableBackend, text: (smtpPort: number) => string): Promise<Rig> {
  const smtp = await startSmtp();
  const dir = mkdtempSync(join(tmpdir(), 'haldir-hardening-'));
  const file = join(dir, 'ldirectord.cf');
  const body = text(smtp.port);
  writeFileSync(file, body);
  const parsed = parseLdirectordCf(body, { file, resolver, debug: true });
  assert.ok(parsed.config, parsed.diagnostics.map((d) => d.message).join('; '));
  const clock = new ManualClock();
  const logger = new MemoryLogger();
  const alerting = new Alerting(parsed.config, { clock: systemClock(), logger, hostname: 'hardening-test' });
  const probes = scripted();
  const director = new Director({
    configPath: file,
    config: parsed.config,
    load: async (p) => parseLdirectordCf(readFileSync(p, 'utf8'), { file: p, resolver, debug: true }),
    backend,
    clock,
    logger,
    alerting,
    hostname: 'hardening-test',
    pid: 4242,
    driftRepairMs: 0,
    watchConfig: false,
    runProbe: probes.runProbe,
  });
  const flush = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return {
    dir, file, clock, logger, smtp, alerting, director, probes,
    async step(ms, opts = {}) {
      // in slices shorter than checktimeout, each finished before the next: one big
      // advance would fire a check and its timeout before the scripted probe answers
      let left = ms;
      do {
        const slice = Math.min(100, left);
        clock.advance(slice);
        left -= slice;
        await flush();
        if (opts.settle !== false) await director.settled();
        await flush();
      } while (left > 0);
    },
    async close() {
      await director.stop().catch(() => {});
      await alerting.stop(2000);
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const count = (lines: readonly string[], re: RegExp) => lines.filter((l) => re.test(l)).length;

test('refused ipvsadm commands are logged as failed, retried with backoff, mailed once, never reported as done', async (t) => {
  const w = standIn();
  const failFile = join(w.dir, 'fail');
  w.env['IPVSADM_FAIL'] = failFile;
  const backend = new IpvsadmBackend({ binary: standInIpvsadm, env: w.env });
  const r = await rig(backend, (p) => cf(p, [{ vip: VIP, reals: ['127.0.38.1', '127.0.38.2'] }]));
  t.after(async () => {
    await r.close();
    w.cleanup();
  });
  const weights = async () => new Map((await backend.read()).services.flatMap((s) => s.destinations.map((d) => [d.address, d.weight] as const)));
  await r.director.start();
  await r.step(1000);
  assert.deepEqual([...(await weights()).entries()].sort(), [['127.0.38.1', 1], ['127.0.38.2', 1]]);

  // the kernel starts refusing every change; then a real fails its check
  writeFileSync(failFile, 'Memory allocation problem\n');
  r.probes.set('127.0.38.2', 'fail');
  const deleted = `Deleted real server: 127.0.38.2:80 (${VIP}:80)`;
  const refused = /^ipvsadm -d -t 10\.202\.0\.1:80 -r 127\.0\.38\.2:80 failed \(exit 255\): Memory allocation problem$/;
  /** Steps 50 ms at a time until the n-th refusal is logged; the clock then. */
  const failedAt = async (n: number) => {
    for (let i = 0; i < 100 && count(r.logger.messages(), refused) < n; i++) await r.step(50);
    assert.equal(count(r.logger.messages(), refused), n, r.logger.messages().join('\n'));
    return r.clock.now();
  };
  const t1 = await failedAt(1);
  assert.equal((await weights()).get('127.0.38.2'), 1, 'the kernel kept the real');
  assert.ok(!r.logger.messages().includes(deleted), `a refused delete was reported as done:\n${r.logger.messages().join('\n')}`);
  assert.equal(count(r.logger.messages(), refused), 1, r.logger.messages().join('\n'));

  // retried with backoff: 1 s after the failure, then 2 s after that
  const t2 = await failedAt(2);
  const t3 = await failedAt(3);
  // each failure lies within the 50 ms slice before it was seen
  assert.ok(t2 - t1 >= 950 && t2 - t1 <= 1050, `first retry ${t2 - t1} ms after the failure`);
  assert.ok(t3 - t2 >= 1950 && t3 - t2 <= 2050, `second retry ${t3 - t2} ms after the first`);
  assert.ok(r.logger.messages().includes('1 IPVS table change failed (attempt 3); retrying in 4 s'), r.logger.messages().join('\n'));

  // changes the kernel refused are not drift
  assert.equal(await r.director.repairDrift(), 0);
  assert.ok(!r.logger.messages().some((m) => m.includes('made outside haldir')), r.logger.messages().join('\n'));
  // status says what the kernel holds
  const real2 = r.director.snapshot().virtuals[0]!.reals.find((x) => x.address === '127.0.38.2')!;
  assert.equal(real2.weight, 1);
  assert.equal(real2.health, 'down');

  // the kernel takes changes again: the next retry deletes it, and only now is it reported
  rmSync(failFile);
  await r.step(4000);
  assert.equal((await weights()).has('127.0.38.2'), false, 'deleted once the kernel accepts it');
  assert.equal(count(r.logger.messages(), new RegExp(`^${deleted.replace(/[.()]/g, '\\$&')}$`)), 1, r.logger.messages().join('\n'));
  assert.ok(r.logger.messages().includes('IPVS table changes succeed again after 3 failed attempts'), r.logger.messages().join('\n'));

  await waitUntil(() => r.smtp.mails.some((m) => m.subject === deleted), 15000, 'the mail for the real actually deleted');
  const failures = r.smtp.mails.filter((m) => m.subject === '[hardening-test] haldir: IPVS table changes failed');
  assert.equal(failures.length, 1, r.smtp.mails.map((m) => m.subject).join('\n'));
  assert.match(failures[0]!.text, /^ipvsadm -d -t 10\.202\.0\.1:80 -r 127\.0\.38\.2:80: Memory allocation problem$/m);
  assert.equal(r.smtp.mails.filter((m) => m.subject === deleted).length, 1, 'one mail for one delete');
});

/** The in-process table with one fault switch: the next `throws` applies throw. */
class FaultyTable implements TableBackend {
  readonly inner = new MemoryBackend();
  throws = 0;
  /** While set, apply waits for it (a slow kernel), to line up a race. */
  gate: Promise<void> | undefined;
  read(): Promise<IpvsTable> {
    return this.inner.read();
  }
  async apply(ops: readonly IpvsOp[]): Promise<ApplyReport> {
    if (this.throws > 0) {
      this.throws--;
      throw new TypeError("Cannot read properties of undefined (reading 'address')");
    }
    const gate = this.gate;
    this.gate = undefined;
    if (gate) await gate;
    return this.inner.apply(ops);
  }
}

test('an exception in a table round is logged with its stack, mailed once, and the rounds go on; a throwing probe only downs its real', async (t) => {
  const backend = new FaultyTable();
  const r = await rig(backend, (p) => cf(p, [{ vip: VIP, reals: ['127.0.39.1', '127.0.39.2'] }]));
  t.after(() => r.close());
  r.probes.set('127.0.39.2', 'throw');
  await r.director.start();
  backend.throws = 2;
  await r.step(1000); // 127.0.39.1 comes up: its round throws
  const errors = () => r.logger.lines.filter((l) => l.level === 'error').map((l) => l.msg);
  assert.ok(errors().some((m) => m.startsWith("Unexpected error in a table round (retrying in 1 s): TypeError: Cannot read properties of undefined (reading 'address')")), errors().join('\n'));
  assert.ok(errors().some((m) => /^\s+at /.test(m)), `the stack is logged:\n${errors().join('\n')}`);
  await r.step(1000); // the retry throws too
  assert.equal(count(errors(), /^Unexpected error in a table round/), 2);
  await r.step(2000); // the next retry goes through
  const table = await backend.read();
  assert.deepEqual(table.services[0]?.destinations.map((d) => d.address), ['127.0.39.1'], r.logger.messages().join('\n'));
  assert.ok(r.logger.messages().includes(`Added real server: 127.0.39.1:80 (${VIP}:80) (Weight set to 1)`));

  // the probe that throws: its real is down with the error as the last check (not "unknown")
  const snap = r.director.snapshot();
  const thrown = snap.virtuals[0]!.reals.find((x) => x.address === '127.0.39.2')!;
  assert.equal(thrown.health, 'down');
  assert.match(thrown.lastCheck?.message ?? '', /^check error: probe exploded for 127\.0\.39\.2$/);
  assert.match(formatStatus(snap), /-> 127\.0\.39\.2:80\s+Masq\s+-\s+down\s+\S+ ago\s+check error: probe exploded/);

  // later transitions still get their round
  r.probes.set('127.0.39.2', 'ok');
  await r.step(1000);
  assert.equal((await backend.read()).services[0]?.destinations.length, 2);

  await waitUntil(() => r.smtp.mails.some((m) => m.subject.includes('unexpected error in a table round')), 15000, 'the error mail');
  await waitUntil(() => r.smtp.mails.some((m) => m.subject.startsWith('Added real server: 127.0.39.2')), 15000, 'the later add mail');
  assert.equal(r.smtp.mails.filter((m) => m.subject.includes('unexpected error in a table round')).length, 1, 'mailed once');
});

test('a virtual re-created by a reload is added once even when a health transition asks for a round meanwhile', async (t) => {
  const backend = new FaultyTable();
  const both = (p: number) => cf(p, [{ vip: VIP, reals: ['127.0.40.1'] }, { vip: '10.202.0.2', reals: ['127.0.40.2'] }]);
  const r = await rig(backend, both);
  t.after(() => r.close());
  await r.director.start();
  await r.step(1000);
  // the first virtual goes away, then comes back
  writeFileSync(r.file, cf(r.smtp.port, [{ vip: '10.202.0.2', reals: ['127.0.40.2'] }]));
  assert.equal(await r.director.reload(), true);
  await r.step(0);
  assert.equal((await backend.read()).services.length, 1);
  const since = backend.inner.commands.length;
  const logSince = r.logger.lines.length;
  let open: () => void = () => {};
  backend.gate = new Promise<void>((res) => (open = res));
  writeFileSync(r.file, both(r.smtp.port));
  const reloading = r.director.reload();
  await r.step(0, { settle: false }); // the reload reaches the kernel and waits there
  // meanwhile the re-created real passes its check and asks for a round
  await r.step(1000, { settle: false });
  assert.ok(r.logger.lines.slice(logSince).some((l) => l.msg === 'Resetting soft failure count: 127.0.40.1:80 (tcp:10.202.0.1:80)'), 'the check ran during the reload');
  open();
  assert.equal(await reloading, true);
  await r.step(0);
  await r.step(1000);
  const cmds = backend.inner.commands.slice(since);
  assert.equal(cmds.filter((c) => c.startsWith(`ipvsadm -A -t ${VIP}:80`)).length, 1, cmds.join('\n'));
  const logged = r.logger.lines.slice(logSince).map((l) => l.msg);
  assert.equal(count(logged, new RegExp(`^Added virtual server: ${VIP.replace(/\./g, '\\.')}:80$`)), 1, logged.join('\n'));
  assert.ok(!logged.some((m) => m.includes('already exists')), logged.join('\n'));
  assert.deepEqual((await backend.read()).services.find((s) => s.key.address === VIP)?.destinations.map((d) => d.address), ['127.0.40.1']);
});

test('autoreload does not apply a file without virtual services while services run; a confirmed reload does', async (t) => {
  const backend = new MemoryBackend();
  const r = await rig(backend, (p) => cf(p, [{ vip: VIP, reals: ['127.0.41.1'] }]));
  t.after(() => r.close());
  await r.director.start();
  await r.step(1000);
  writeFileSync(r.file, '');
  assert.equal(await r.director.reload({ confirmed: false }), false);
  assert.equal((await backend.read()).services.length, 1, 'the table keeps its virtual service');
  assert.equal(r.director.currentConfig.global.autoreload, true, 'autoreload stays on');
  assert.ok(
    r.logger.messages().some((m) => m.includes('has no virtual services; autoreload did not apply it') && m.includes('[E-AUTORELOAD-EMPTY]')),
    r.logger.messages().join('\n'),
  );
  await waitUntil(() => r.smtp.mails.some((m) => m.subject.includes('not applied (no virtual services)')), 15000, 'the held-back mail');
  // the operator means it: reload (SIGHUP) applies it
  assert.equal(await r.director.reloadOnSignal(), true);
  assert.equal((await backend.read()).services.length, 0);
});

test('status -v: a real that was checked and never came up is down, with its last check', async (t) => {
  const r = await rig(new MemoryBackend(), (p) => cf(p, [{ vip: VIP, reals: ['127.0.42.1'] }]));
  t.after(() => r.close());
  r.probes.set('127.0.42.1', 'fail');
  await r.director.start();
  assert.equal(r.director.snapshot().virtuals[0]!.reals[0]!.health, 'unknown', 'not checked yet');
  await r.step(1000);
  const real = r.director.snapshot().virtuals[0]!.reals[0]!;
  assert.equal(real.health, 'down');
  assert.equal(real.lastCheck?.message, 'connect: connection refused');
  assert.match(formatStatus(r.director.snapshot()), /-> 127\.0\.42\.1:80\s+Masq\s+-\s+down\s+\S+ ago\s+connect: connection refused/);
});

test('a real adopted from the table at start that fails its checks is taken out (ldirectord marks adopted reals up)', async (t) => {
  const key = { protocol: 'tcp', family: 'inet', address: VIP, port: 80, fwmark: undefined } as const;
  const dest = (address: string) => ({ address, port: 80, forward: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 }) as const;
  const backend = new MemoryBackend({
    initial: { services: [{ key, scheduler: 'wrr', persistent: undefined, netmask: undefined, ops: false, schedFlags: 0, destinations: [dest('127.0.44.1'), dest('127.0.44.2')] }] },
  });
  const r = await rig(backend, (p) => cf(p, [{ vip: VIP, reals: ['127.0.44.1', '127.0.44.2'] }], 'failurecount=2'));
  t.after(() => r.close());
  r.probes.set('127.0.44.2', 'fail');
  await r.director.start();
  assert.equal(backend.commands.length, 0, 'the table is adopted as it is');
  await r.step(1000);
  assert.equal((await backend.read()).services[0]!.destinations.length, 2, 'one failure is a soft failure (failurecount=2)');
  assert.ok(r.logger.messages().includes(`Soft failure real server: 127.0.44.2:80 (tcp:${VIP}:80) failure 1/2`), r.logger.messages().join('\n'));
  await r.step(1000);
  assert.deepEqual((await backend.read()).services[0]!.destinations.map((d) => d.address), ['127.0.44.1'], 'the dead real is out');
  assert.ok(r.logger.messages().includes(`Deleted real server: 127.0.44.2:80 (${VIP}:80)`));
  assert.equal(r.director.snapshot().virtuals[0]!.reals[1]!.health, 'down');
  // the healthy adopted real was never touched, and logs no soft-failure reset
  assert.ok(!backend.commands.some((c) => c.includes('127.0.44.1')), backend.commands.join('\n'));
  assert.ok(!r.logger.messages().some((m) => m.startsWith('Resetting soft failure count: 127.0.44.1')), r.logger.messages().join('\n'));
});

test('shownHealth: a real that was checked and never came up is down', () => {
  assert.equal(shownHealth('unknown', undefined), 'unknown');
  assert.equal(shownHealth('unknown', { ok: false }), 'down');
  assert.equal(shownHealth('up', { ok: true }), 'up');
});
