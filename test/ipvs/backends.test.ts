import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpvsadmBackend } from '../../src/ipvs/backends/ipvsadm.js';
import { MemoryBackend } from '../../src/ipvs/backends/memory.js';
import { planOps } from '../../src/ipvs/plan.js';
import { serviceId } from '../../src/ipvs/keys.js';
import { IpvsError } from '../../src/ipvs/types.js';
import type { IpvsDestination, IpvsService, IpvsTable, ServiceKey } from '../../src/ipvs/types.js';
import { standInIpvsadm } from './fixtures.js';
import { standIn } from './standin-env.js';

const key = (port: number): ServiceKey => ({ protocol: 'tcp', family: 'inet', address: '127.0.0.1', port, fwmark: undefined });
const dest = (a: string, port: number, over: Partial<IpvsDestination> = {}): IpvsDestination => ({ address: a, port, forward: 'gate', weight: 1, upperThreshold: 0, lowerThreshold: 0, ...over });
const svc = (port: number, destinations: IpvsDestination[], scheduler = 'wrr'): IpvsService => ({ key: key(port), scheduler, persistent: undefined, netmask: undefined, ops: false, schedFlags: 0, destinations });
const v6: IpvsService = {
  key: { protocol: 'fwm', family: 'inet6', address: undefined, port: 0, fwmark: 4 }, scheduler: 'sh', persistent: 60, netmask: '64', ops: false, schedFlags: 1,
  destinations: [dest('2001:db8::5', 0, { forward: 'ipip', weight: 2, upperThreshold: 20, lowerThreshold: 4 })],
};

test('ipvsadm backend: one -R batch per round, read back through -L -n and --thresholds', async (t) => {
  const w = standIn();
  t.after(() => w.cleanup());
  const be = new IpvsadmBackend({ binary: standInIpvsadm, env: w.env });
  assert.deepEqual(await be.read(), { services: [] });
  const desired: IpvsTable = { services: [svc(80, [dest('127.0.0.2', 80, { weight: 3, upperThreshold: 100, lowerThreshold: 10 }), dest('127.0.0.3', 8080, { forward: 'masq' })]), v6] };
  const ops = planOps(await be.read(), desired);
  const report = await be.apply(ops);
  assert.deepEqual(report, { ok: true, mode: 'batch', executions: 1, applied: ops.length, failed: [] });
  const restore = w.calls().filter((c) => c.argv[0] === '-R');
  assert.equal(restore.length, 1);
  assert.equal(restore[0]!.stdin!.trim().split('\n').length, ops.length);
  const seen = await be.read();
  assert.deepEqual(planOps(seen, desired), [], 'the table read back is the desired one, thresholds included');
  assert.deepEqual(await be.apply([]), { ok: true, mode: 'none', executions: 0, applied: 0, failed: [] });
});

test('ipvsadm backend: a failed batch falls back to one command per missing op and names the failures', async (t) => {
  const w = standIn({ IPVSADM_SCHEDULERS: 'wrr,wlc' }); // this "kernel" has no rr module
  t.after(() => w.cleanup());
  const be = new IpvsadmBackend({ binary: standInIpvsadm, env: w.env });
  const desired: IpvsTable = { services: [svc(80, [dest('127.0.0.2', 80)]), svc(81, [dest('127.0.0.4', 81)], 'rr'), svc(82, [dest('127.0.0.5', 82)])] };
  const ops = planOps({ services: [] }, desired);
  const report = await be.apply(ops);
  assert.equal(report.ok, false);
  assert.equal(report.mode, 'single');
  assert.deepEqual(report.failed.map((f) => [f.op.kind, f.args.join(' '), f.exitCode, f.message]), [
    ['add-service', '-A -t 127.0.0.1:81 -s rr', 255, 'Scheduler or persistence engine not found'],
    ['add-dest', '-a -t 127.0.0.1:81 -r 127.0.0.4:81 -g -w 1', 255, 'Service not defined'],
  ]);
  assert.equal(report.applied, ops.length - 2);
  // 1 batch + 2 reads + the 2 ops that were still missing, each on its own.
  assert.equal(report.executions, 5);
  assert.equal(w.calls().length, 5, "the call log has one line per execution");
  const table = await be.read();
  assert.deepEqual(table.services.map((s) => serviceId(s.key)), ['tcp:127.0.0.1:80', 'tcp:127.0.0.1:82']);
});

test('ipvsadm backend: a missing binary is a coded error telling what to do', async () => {
  const be = new IpvsadmBackend({ binary: '/nonexistent/ipvsadm' });
  await assert.rejects(be.read(), (e: unknown) => e instanceof IpvsError && e.code === 'IPVSADM_NOT_FOUND' && /install ipvsadm/.test(e.message));
});

test('memory backend: applies ops, logs each as an ipvsadm command, refuses like the kernel', async () => {
  const lines: string[] = [];
  const be = new MemoryBackend({ log: (l) => lines.push(l) });
  const desired: IpvsTable = { services: [svc(80, [dest('127.0.0.2', 80, { weight: 2, upperThreshold: 5 })])] };
  const r = await be.apply(planOps(await be.read(), desired));
  assert.deepEqual(r, { ok: true, mode: 'memory', executions: 0, applied: 2, failed: [] });
  assert.deepEqual(lines, ['ipvsadm -A -t 127.0.0.1:80 -s wrr', 'ipvsadm -a -t 127.0.0.1:80 -r 127.0.0.2:80 -g -w 2 -x 5']);
  assert.deepEqual(planOps(await be.read(), desired), []);
  const bad = await be.apply([{ kind: 'add-dest', key: key(80), dest: dest('127.0.0.2', 80) }, { kind: 'delete-service', key: key(99) }]);
  assert.deepEqual(bad.failed.map((f) => f.message), ['Destination already exists', 'No such service']);
  assert.deepEqual(be.commands.slice(2), ['ipvsadm -a -t 127.0.0.1:80 -r 127.0.0.2:80 -g -w 1', 'ipvsadm -D -t 127.0.0.1:99']);
});
