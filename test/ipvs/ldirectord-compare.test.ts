// Side by side with Debian's ldirectord 4.12: the same config and the same real-server
// health must leave the same IPVS table. ldirectord runs with -d in a temp cwd that
// holds the stand-in as ./ipvsadm (ldirectord prefers ./ipvsadm with -d, L914); haldir
// runs its planner + ipvsadm backend against a second stand-in table. Health is made
// real for the connect checks: Node servers on loopback addresses, or nothing listening.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IpvsadmBackend } from '../../src/ipvs/backends/ipvsadm.js';
import { destKey, serviceId } from '../../src/ipvs/keys.js';
import { planOps } from '../../src/ipvs/plan.js';
import type { IpvsTable } from '../../src/ipvs/types.js';
import { planDesiredTable } from '../../src/pool/plan-desired.js';
import type { FallbackCommandState, PoolEvent, RealHealth } from '../../src/pool/plan-desired.js';
import { config, fallback, real, virtual } from '../pool/config-factory.js';
import { standInIpvsadm } from './fixtures.js';
import { standIn } from './standin-env.js';

const LDIRECTORD = '/usr/sbin/ldirectord';

function listen(host: string, port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer((c) => c.destroy());
    s.once('error', reject);
    s.listen(port, host, () => resolve(s));
  });
}
const portOf = (s: Server) => (s.address() as { port: number }).port;
const closeServer = (s: Server) => new Promise<void>((r) => s.close(() => r()));

function canon(t: IpvsTable): unknown {
  return t.services
    .map((s) => ({ ...s, destinations: [...s.destinations].sort((a, b) => destKey(a).localeCompare(destKey(b))) }))
    .sort((a, b) => serviceId(a.key).localeCompare(serviceId(b.key)));
}

interface RunningLdirectord {
  readonly child: ChildProcess;
  /** Everything ldirectord logged so far (with -d, ld_log writes to stderr, L4499). */
  log(): string;
  kill(): void;
}

/** `ldirectord -d CONFIG start` in `dir`, where the stand-in is ./ipvsadm. */
function startLdirectord(dir: string, env: NodeJS.ProcessEnv, configText: string): RunningLdirectord {
  const cf = join(dir, `haldir-compare-${process.pid}.cf`);
  writeFileSync(cf, configText);
  copyFileSync(standInIpvsadm, join(dir, 'ipvsadm'));
  const child = spawn(LDIRECTORD, ['-d', cf, 'start'], { cwd: dir, env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    child,
    log: () => stderr,
    kill() {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    },
  };
}

function requireLdirectord(): void {
  if (!existsSync(LDIRECTORD)) {
    assert.fail('ldirectord is not installed: run `bash test/setup/system-deps.sh` (test/setup/apt-packages.d/ipvs.txt lists it)');
  }
}

/** Waits until the stand-in's call log has stopped growing for `quietMs` (ldirectord idle). */
async function settle(logFile: string, minLines: number, quietMs = 2500, limitMs = 45_000): Promise<void> {
  const lines = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').length - 1 : 0);
  const end = Date.now() + limitMs;
  let last = -1;
  let since = Date.now();
  while (Date.now() < end) {
    const n = lines();
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (n >= minLines && Date.now() - since >= quietMs) return;
    await sleep(200);
  }
  throw new Error(`ldirectord did not settle within ${limitMs} ms (${last} ipvsadm calls)`);
}

test('steady-state tables equal ldirectord 4.12 (on/off/connect checks, quiescent yes/no, fallback, fallback6, IPv6, thresholds, udp ops, fwmark)', { timeout: 120_000 }, async (t) => {
  requireLdirectord();
  const ld = standIn();
  const hd = standIn();
  const servers: Server[] = [];
  let running: RunningLdirectord | undefined;
  t.after(async () => {
    running?.kill();
    await Promise.all(servers.map(closeServer));
    ld.cleanup();
    hd.cleanup();
  });

  // V3's port is a live server on 127.0.0.2; 127.0.0.3 on that port refuses.
  const s2 = await listen('127.0.0.2');
  servers.push(s2);
  const p3 = portOf(s2);
  // V4: nothing listens on 127.0.0.5/.6 at p4 (yet).
  const probe = await listen('127.0.0.5');
  const p4 = portOf(probe);
  await closeServer(probe);
  const [p1, p2, p5] = [p3 + 1, p3 + 2, p3 + 3].map((p) => (p > 65000 ? p - 30000 : p)) as [number, number, number];

  const configText = [
    'checkinterval=1',
    'checktimeout=1',
    'cleanstop=no',
    'quiescent=no',
    'fallback6=[::3]:9999',
    `virtual=127.0.0.1:${p1}`,
    `\treal=127.0.0.2:${p1} gate 2`,
    `\treal=127.0.0.3:${p1} masq 3 l:2 u:10`,
    '\tchecktype=on',
    '\tservice=none',
    `virtual=127.0.0.1:${p2}`,
    `\treal=127.0.0.2:${p2} gate`,
    `\tfallback=127.0.0.9:${p2} gate`,
    '\tchecktype=off',
    '\tservice=none',
    `virtual=127.0.0.1:${p3}`,
    `\treal=127.0.0.2:${p3} gate 5`,
    `\treal=127.0.0.3:${p3} gate 1`,
    '\tchecktype=connect',
    '\tquiescent=yes',
    '\tscheduler=rr',
    '\tpersistent=300',
    '\tnetmask=255.255.255.0',
    '\tservice=none',
    `virtual=127.0.0.1:${p4}`,
    `\treal=127.0.0.5:${p4} gate`,
    `\treal=127.0.0.6:${p4} masq 4`,
    `\tfallback=127.0.0.9:${p4} masq`,
    '\tchecktype=connect',
    '\tquiescent=yes',
    '\tservice=none',
    `virtual=127.0.0.1:${p5}`,
    `\treal=127.0.0.7:${p5} gate 2`,
    '\tprotocol=udp',
    '\tops=yes',
    '\tchecktype=on',
    '\tservice=none',
    `virtual6=[::1]:${p1}`,
    `\treal6=[::1]:${p1} gate 2`,
    '\tchecktype=on',
    '\tservice=none',
    `virtual6=[::1]:${p2}`,
    `\treal6=[::2]:${p2} gate`,
    '\tchecktype=off',
    '\tservice=none',
    'virtual=7',
    '\treal=127.0.0.8 gate 3',
    '\tchecktype=on',
    '\tservice=none',
    '',
  ].join('\n');

  // The same config as haldir's model.
  const cfg = config([
    virtual(`127.0.0.1:${p1}`, [real('127.0.0.2', p1, { weight: 2 }), real('127.0.0.3', p1, { forward: 'masq', weight: 3, lowerThreshold: 2, upperThreshold: 10 })], { check: { kind: 'on' } }),
    virtual(`127.0.0.1:${p2}`, [real('127.0.0.2', p2)], { check: { kind: 'off' }, fallback: fallback('127.0.0.9', p2) }),
    virtual(`127.0.0.1:${p3}`, [real('127.0.0.2', p3, { weight: 5 }), real('127.0.0.3', p3)], { quiescent: true, scheduler: 'rr', persistent: 300, netmask: '255.255.255.0' }),
    virtual(`127.0.0.1:${p4}`, [real('127.0.0.5', p4), real('127.0.0.6', p4, { forward: 'masq', weight: 4 })], { quiescent: true, fallback: fallback('127.0.0.9', p4, 'masq') }),
    virtual(`127.0.0.1:${p5}`, [real('127.0.0.7', p5, { weight: 2 })], { protocol: 'udp', id: `udp:127.0.0.1:${p5}`, ops: true, check: { kind: 'on' } }),
    virtual(`[::1]:${p1}`, [real('::1', p1, { weight: 2 })], { check: { kind: 'on' } }),
    virtual(`[::1]:${p2}`, [real('::2', p2)], { check: { kind: 'off' } }),
    virtual(7, [real('127.0.0.8', 0, { weight: 3 })], { check: { kind: 'on' } }),
  ], { fallback6: fallback('::3', 9999) });

  running = startLdirectord(ld.dir, ld.env, configText);
  const ldStderr = () => running!.log();

  // haldir: the director's first round runs before any check (health unknown, phase
  // start), the next ones with check results.
  const backend = new IpvsadmBackend({ binary: standInIpvsadm, env: hd.env });
  let fallbackState: FallbackCommandState = new Map();
  const events: PoolEvent[] = [];
  const round = async (h: Record<string, RealHealth>, phase: 'start' | 'running') => {
    const observed = await backend.read();
    const plan = planDesiredTable(cfg, (v, r) => h[`${v} ${r}`] ?? 'unknown', observed, { phase, fallbackState });
    fallbackState = plan.fallbackState;
    events.push(...plan.events);
    const report = await backend.apply(planOps(observed, plan.desired, plan.managedServiceIds));
    assert.ok(report.ok, JSON.stringify(report.failed));
  };
  const on = (vid: string, rk: string, state: RealHealth) => [`${vid} ${rk}`, state] as const;
  const health1 = Object.fromEntries([
    on(`tcp:127.0.0.1:${p1}`, `127.0.0.2:${p1}`, 'up'),
    on(`tcp:127.0.0.1:${p1}`, `127.0.0.3:${p1}`, 'up'),
    on(`tcp:127.0.0.1:${p3}`, `127.0.0.2:${p3}`, 'up'),
    on(`tcp:127.0.0.1:${p3}`, `127.0.0.3:${p3}`, 'down'),
    on(`tcp:127.0.0.1:${p4}`, `127.0.0.5:${p4}`, 'down'),
    on(`tcp:127.0.0.1:${p4}`, `127.0.0.6:${p4}`, 'down'),
    on(`udp:127.0.0.1:${p5}`, `127.0.0.7:${p5}`, 'up'),
    on('fwm:7', '127.0.0.8:0', 'up'),
    on(`tcp:[::1]:${p1}`, `[::1]:${p1}`, 'up'),
  ]) as Record<string, RealHealth>;
  await round({}, 'start');
  await round(health1, 'running');

  await settle(join(ld.dir, 'calls.log'), 10);
  assert.equal(running.child.exitCode, null, `ldirectord exited early: ${ldStderr()}`);
  const weights = (tb: IpvsTable, port: number, family = 'inet') =>
    Object.fromEntries(tb.services.find((x) => x.key.port === port && x.key.family === family)!.destinations.map((d) => [destKey(d), d.weight]));
  const ldTable = await new IpvsadmBackend({ binary: standInIpvsadm, env: ld.env }).read();
  const hdTable = await backend.read();
  assert.deepEqual(canon(hdTable), canon(ldTable));
  assert.equal(hdTable.services.length, 8);
  // A gate fallback lands on the virtual's port (ipvsadm), so [::3]:9999 shows as [::3]:p2.
  assert.deepEqual(weights(ldTable, p2, 'inet6'), { [`[::3]:${p2}`]: 1 }, 'global fallback6 serves the IPv6 virtual with no real up');

  // Every change haldir reported is a line ldirectord logged, word for word.
  // With -d, ld_log (L4499) writes every message to stderr.
  for (const e of events) assert.ok(ldStderr().includes(`${e.message}\n`), `ldirectord never logged "${e.message}"`);
  assert.ok(events.some((e) => e.kind === 'added-fallback'));
  assert.ok(events.some((e) => e.kind === 'quiescent'));

  // Transitions: 127.0.0.2:p3 dies, 127.0.0.3:p3 and 127.0.0.5:p4 come up.
  const callsBefore = ld.calls().length;
  await closeServer(s2);
  servers.splice(servers.indexOf(s2), 1);
  servers.push(await listen('127.0.0.3', p3), await listen('127.0.0.5', p4));
  await round({
    ...health1,
    ...Object.fromEntries([
      on(`tcp:127.0.0.1:${p3}`, `127.0.0.2:${p3}`, 'down'),
      on(`tcp:127.0.0.1:${p3}`, `127.0.0.3:${p3}`, 'up'),
      on(`tcp:127.0.0.1:${p4}`, `127.0.0.5:${p4}`, 'up'),
    ]),
  }, 'running');
  await settle(join(ld.dir, 'calls.log'), callsBefore + 6);
  const ldTable2 = await new IpvsadmBackend({ binary: standInIpvsadm, env: ld.env }).read();
  const hdTable2 = await backend.read();
  assert.deepEqual(canon(hdTable2), canon(ldTable2));
  assert.notDeepEqual(canon(hdTable2), canon(hdTable), 'the transitions changed the table');
  assert.deepEqual(weights(ldTable2, p3), { [`127.0.0.2:${p3}`]: 0, [`127.0.0.3:${p3}`]: 1 });
  assert.deepEqual(weights(ldTable2, p4), { [`127.0.0.5:${p4}`]: 1, [`127.0.0.6:${p4}`]: 0 });
  assert.deepEqual(weights(ldTable, p4), { [`127.0.0.5:${p4}`]: 0, [`127.0.0.6:${p4}`]: 0, [`127.0.0.9:${p4}`]: 1 });
  assert.deepEqual(weights(ldTable, p2), { [`127.0.0.9:${p2}`]: 1 });
  for (const e of events) assert.ok(ldStderr().includes(`${e.message}\n`), `ldirectord never logged "${e.message}"`);
  assert.ok(events.some((e) => e.kind === 'deleted-fallback'));

  // Cost: haldir spent one ipvsadm -R per round (plus its reads); ldirectord one process per change and two per lookup.
  const hdWrites = hd.calls().filter((c) => c.argv[0] === '-R').length;
  assert.equal(hdWrites, 3);
  assert.ok(ld.calls().length > hd.calls().length);
});

test('documented fix: a fallback on the same ip:port as a real; ldirectord deletes the up real, haldir keeps it', { timeout: 60_000 }, async (t) => {
  requireLdirectord();
  const ld = standIn();
  const hd = standIn();
  const probe = await listen('127.0.0.2');
  const p = portOf(probe);
  await closeServer(probe);
  const running = startLdirectord(ld.dir, ld.env, [
    'checkinterval=1', 'cleanstop=no', 'quiescent=no',
    `virtual=127.0.0.1:${p}`, `\treal=127.0.0.2:${p} gate 2`, `\tfallback=127.0.0.2:${p} gate`, '\tchecktype=on', '\tservice=none', '',
  ].join('\n'));
  t.after(() => {
    running.kill();
    ld.cleanup();
    hd.cleanup();
  });
  const cfg = config([virtual(`127.0.0.1:${p}`, [real('127.0.0.2', p, { weight: 2 })], { check: { kind: 'on' }, fallback: fallback('127.0.0.2', p) })]);
  const backend = new IpvsadmBackend({ binary: standInIpvsadm, env: hd.env });
  for (const [h, phase] of [['unknown', 'start'], ['up', 'running'], ['up', 'running']] as const) {
    const observed = await backend.read();
    const plan = planDesiredTable(cfg, () => h, observed, { phase });
    assert.ok((await backend.apply(planOps(observed, plan.desired, plan.managedServiceIds))).ok);
  }
  await settle(join(ld.dir, 'calls.log'), 6);
  const ldTable = await new IpvsadmBackend({ binary: standInIpvsadm, env: ld.env }).read();
  const hdTable = await backend.read();
  assert.deepEqual(ldTable.services[0]!.destinations, [], 'ldirectord: the real is up, yet its entry is gone');
  assert.ok(running.log().includes(`Deleted fallback server: 127.0.0.2:${p} (127.0.0.1:${p})\n`));
  assert.deepEqual(hdTable.services[0]!.destinations, [
    { address: '127.0.0.2', port: p, forward: 'gate', weight: 2, upperThreshold: 0, lowerThreshold: 0 },
  ]);
});
