// The daemon with in-memory ports and a ManualClock: what it sends, which side
// effects it asks for, and in which order. Scripts it runs are real processes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';
import { VrrpDaemon } from '../../src/vrrp/daemon.js';
import type { PacketPort, PortSpec } from '../../src/vrrp/daemon.js';
import type { ReceivedPacket } from '../../src/vrrp/admit.js';
import { decodeAdvert, encodeAdvert, passAuthData } from '../../src/vrrp/codec.js';
import type { Advert } from '../../src/vrrp/codec.js';
import { defaultInstanceParams } from '../../src/vrrp/instance.js';
import type { InstanceParams, VipSpec } from '../../src/vrrp/instance.js';
import type { DaemonConfig, InstanceRuntimeConfig } from '../../src/vrrp/from-config.js';
import type { Alert } from '../../src/vrrp/alert.js';

class FakePort extends EventEmitter implements PacketPort {
  sent: { advert: Advert; dst: string; src?: string }[] = [];
  closed = false;
  constructor(readonly spec: PortSpec) {
    super();
  }
  send(message: Buffer, dst: string, src?: string): Promise<void> {
    const d = decodeAdvert(message, { family: this.spec.family, src, dst });
    assert.ok(d.ok, 'the daemon only sends valid adverts');
    this.sent.push({ advert: d.advert, dst, src });
    return Promise.resolve();
  }
  close(): void {
    this.closed = true;
  }
  deliver(p: ReceivedPacket): void {
    this.emit('packet', p);
  }
}

function setup(instances: Partial<InstanceParams>[], extra: Partial<DaemonConfig> = {}, rt: Partial<InstanceRuntimeConfig> = {}) {
  const clock = new ManualClock();
  const log = new MemoryLogger();
  const ports: FakePort[] = [];
  const vipOps: string[] = [];
  const garps: string[] = [];
  const alerts: Alert[] = [];
  const cfg: DaemonConfig = {
    instances: instances.map((p, i) => ({
      params: defaultInstanceParams({ name: `VI_${i + 1}`, vrid: 51 + i, interface: 'eth0', primaryIp: '10.0.0.2', vips: [{ address: `10.0.0.${100 + i}/24` }], ...p }),
      notify: {},
      smtpAlert: true,
      mcastGroup: '224.0.0.18',
      ...rt,
    })),
    scripts: [],
    syncGroups: [],
    routerId: 'lb1',
    emails: ['ops@example.org'],
    ...extra,
  };
  const d = new VrrpDaemon(cfg, {
    clock,
    log,
    openPort: (spec) => {
      const p = new FakePort(spec);
      ports.push(p);
      return p;
    },
    vips: {
      add: async (v: VipSpec, dev: string) => void vipOps.push(`add ${v.address} ${dev}`),
      remove: async (v: VipSpec, dev: string) => void vipOps.push(`del ${v.address} ${dev}`),
    },
    garp: { announce: async (vip, dev, n) => void garps.push(`${vip} ${dev} x${n}`) },
    alerts: { send: (a) => void alerts.push(a) },
    ipvsadmPath: extra.routerId === 'lvs' ? lvsFake : undefined,
  });
  return { d, clock, log, ports, vipOps, garps, alerts, cfg };
}

const tmp = mkdtempSync(join(tmpdir(), 'vrrp-daemon-test-'));
const lvsLog = join(tmp, 'ipvsadm.log');
const lvsFake = join(tmp, 'ipvsadm');
writeFileSync(lvsFake, `#!/bin/sh\necho "$@" >> ${lvsLog}\n`);
chmodSync(lvsFake, 0o755);
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const flush = () => new Promise((r) => setTimeout(r, 20));
const advertPacket = (vrid: number, priority: number, src = '10.0.0.3', pass?: string): ReceivedPacket => ({
  family: 4,
  src,
  dst: '224.0.0.18',
  ttl: 255,
  payload: encodeAdvert(
    { version: 2, vrid, priority, intervalCs: 100, addresses: [], authType: pass ? 1 : 0, authData: pass ? passAuthData(pass) : Buffer.alloc(8) },
    { family: 4 },
  ),
});

test('no peer: becomes MASTER, sets VIPs, announces them, mails, adverts carry VIPs and come every second', async () => {
  const { d, clock, ports, vipOps, garps, alerts } = setup([{ priority: 150 }]);
  d.start();
  assert.equal(ports.length, 1);
  assert.deepEqual(ports[0]!.spec, { family: 4, ifname: 'eth0', primaryIp: '10.0.0.2', multicast: true, group: '224.0.0.18' });
  clock.advance(3500);
  await flush();
  assert.equal(d.machine('VI_1')!.state, 'MASTER');
  assert.deepEqual(vipOps, ['del 10.0.0.100/24 eth0', 'add 10.0.0.100/24 eth0']);
  assert.deepEqual(garps, ['10.0.0.100 eth0 x5']);
  assert.deepEqual(alerts.map((a) => a.subject), ['[lb1] VRRP Instance VI_1 - Entering BACKUP state', '[lb1] VRRP Instance VI_1 - Entering MASTER state']);
  assert.deepEqual(alerts[1]!.to, ['ops@example.org']);
  clock.advance(3000);
  const sent = ports[0]!.sent;
  assert.equal(sent.length, 4);
  assert.deepEqual(sent[0]!.advert.addresses, ['10.0.0.100']);
  assert.equal(sent[0]!.dst, '224.0.0.18');
  assert.equal(sent[0]!.src, '10.0.0.2');
  const st = d.status()[0]!;
  assert.equal(st.state, 'MASTER');
  assert.equal(st.master, '10.0.0.2');
  assert.equal(st.lastTransition?.to, 'MASTER');
  await d.shutdown();
  assert.equal(sent.at(-1)!.advert.priority, 0, 'TERM sends priority 0');
  assert.equal(vipOps.at(-1), 'del 10.0.0.100/24 eth0');
  assert.equal(ports[0]!.closed, true);
});

test('bad packets are counted per reason and never change state; a valid higher advert does', async () => {
  const { d, clock, ports, log } = setup([{ priority: 150, authPass: 'secret' }]);
  d.start();
  clock.advance(3500);
  const port = ports[0]!;
  port.deliver({ family: 4, src: '10.0.0.3', ttl: 255, payload: Buffer.from([1, 2, 3]) });
  port.deliver(advertPacket(51, 200, '10.0.0.3', 'wrong'));
  port.deliver(advertPacket(51, 200, '10.0.0.3'));
  port.deliver(advertPacket(99, 200, '10.0.0.3', 'secret'));
  port.deliver({ ...advertPacket(51, 200, '10.0.0.3', 'secret'), ttl: 64 });
  port.emit('malformed', 'truncated');
  assert.equal(d.machine('VI_1')!.state, 'MASTER');
  assert.deepEqual(d.status()[0]!.drops, { 'bad-passwd': 1, 'bad-auth-type': 1, 'bad-ttl': 1, truncated: 2, 'wrong-vrid': 1 });
  assert.ok(log.messages().includes('(VI_1) received an invalid passwd!'));
  port.deliver(advertPacket(51, 200, '10.0.0.3', 'secret'));
  assert.equal(d.machine('VI_1')!.state, 'BACKUP');
  assert.equal(d.status()[0]!.master, '10.0.0.3');
  await d.shutdown();
});

test('sync group: when one member is pushed to BACKUP the other follows; they take over together', async () => {
  const { d, clock, ports } = setup([{ priority: 150, syncGroup: 'G1' }, { priority: 150, syncGroup: 'G1' }], { syncGroups: [{ name: 'G1', instances: ['VI_1', 'VI_2'] }] });
  d.start();
  assert.equal(ports.length, 1, 'one socket per interface and family');
  clock.advance(3500);
  await flush();
  assert.equal(d.machine('VI_1')!.state, 'MASTER');
  assert.equal(d.machine('VI_2')!.state, 'MASTER');
  ports[0]!.deliver(advertPacket(51, 200));
  await flush();
  assert.equal(d.machine('VI_1')!.state, 'BACKUP');
  assert.equal(d.machine('VI_2')!.state, 'BACKUP', 'VI_2 follows VI_1 although its own peer is silent');
  // No thrashing: VI_2's timer keeps expiring, but it waits for VI_1, whose master lives.
  for (let t = 0; t < 10; t++) {
    ports[0]!.deliver(advertPacket(51, 200));
    clock.advance(1000);
    await flush();
  }
  assert.equal(d.machine('VI_2')!.state, 'BACKUP');
  assert.equal(d.machine('VI_2')!.wantMaster, true);
  assert.equal(d.machine('VI_1')!.lastTransition!.to, 'BACKUP', 'VI_1 never went MASTER in between');
  // VI_1's master goes quiet: the whole group takes over together.
  clock.advance(3700);
  await flush();
  assert.equal(d.machine('VI_1')!.state, 'MASTER');
  assert.equal(d.machine('VI_2')!.state, 'MASTER');
  await d.shutdown();
});

/** Lines a notify script appended to `file`, polled until `want` holds (scripts run asynchronously). */
async function waitForLines(file: string, want: (lines: string[]) => boolean, what: string): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter((l) => l !== '') : [];
    if (want(lines)) return lines;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; have: ${JSON.stringify(lines)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('sync group notify scripts run on the group\'s transitions: BACKUP once at start, MASTER when all are, BACKUP, STOP', async () => {
  const out = join(tmp, 'group-notify.log');
  const script = join(tmp, 'group-notify.sh');
  writeFileSync(script, `#!/bin/sh\necho "$@" >> ${out}\n`);
  chmodSync(script, 0o755);
  const { d, clock, ports } = setup([{ priority: 150, syncGroup: 'G1' }, { priority: 150, syncGroup: 'G1' }], {
    syncGroups: [{ name: 'G1', instances: ['VI_1', 'VI_2'], notify: { master: [script, 'group-master'], generic: [script] } }],
  });
  const count = (lines: string[], l: string) => lines.filter((x) => x === l).length;
  d.start();
  await waitForLines(out, (l) => count(l, 'GROUP G1 BACKUP 0') === 1, 'the group\'s BACKUP at start');
  clock.advance(3500);
  await flush();
  assert.equal(d.machine('VI_2')!.state, 'MASTER');
  let lines = await waitForLines(out, (l) => l.includes('GROUP G1 MASTER 0') && l.includes('group-master'), 'the group\'s MASTER');
  assert.equal(count(lines, 'GROUP G1 BACKUP 0'), 1, 'two members starting BACKUP are one group transition');
  ports[0]!.deliver(advertPacket(51, 200));
  await flush();
  assert.equal(d.machine('VI_2')!.state, 'BACKUP');
  await waitForLines(out, (l) => count(l, 'GROUP G1 BACKUP 0') === 2, 'the group\'s BACKUP after a higher-priority master');
  await d.shutdown();
  lines = await waitForLines(out, (l) => l.includes('GROUP G1 STOP 0'), 'the group\'s STOP');
  assert.deepEqual(lines.sort(), ['GROUP G1 BACKUP 0', 'GROUP G1 BACKUP 0', 'GROUP G1 MASTER 0', 'GROUP G1 STOP 0', 'group-master'].sort());
});

test('sync group notify: one member faulting makes the group FAULT once; recovery of every member makes it BACKUP', async () => {
  const out = join(tmp, 'group-fault.log');
  const script = join(tmp, 'group-fault.sh');
  writeFileSync(script, `#!/bin/sh\necho "$@" >> ${out}\n`);
  chmodSync(script, 0o755);
  const { d, clock } = setup([{ priority: 150, syncGroup: 'G1' }, { priority: 150, syncGroup: 'G1' }], {
    syncGroups: [{ name: 'G1', instances: ['VI_1', 'VI_2'], notify: { fault: [script, 'group-fault'], backup: [script, 'group-backup'] } }],
  });
  d.start();
  await waitForLines(out, (l) => l.includes('group-backup'), 'the group\'s BACKUP at start');
  // holdFault fails VI_1 exactly as a failing weight-0 track_script would.
  assert.equal(d.holdFault('VI_1', true), true);
  await flush();
  assert.equal(d.machine('VI_2')!.state, 'FAULT', 'VI_2 follows its group into FAULT');
  await waitForLines(out, (l) => l.filter((x) => x === 'group-fault').length === 1, 'one group FAULT for two members');
  assert.equal(d.holdFault('VI_1', false), true);
  clock.advance(10);
  await flush();
  const lines = await waitForLines(out, (l) => l.filter((x) => x === 'group-backup').length === 2, 'the group\'s BACKUP after the fault cleared');
  assert.deepEqual(lines, ['group-backup', 'group-fault', 'group-backup']);
  await d.shutdown();
});

test('HUP reload: a VRID and VIP change applies without a failover', async () => {
  const { d, clock, ports, vipOps, cfg } = setup([{ priority: 150 }]);
  d.start();
  clock.advance(3500);
  await flush();
  vipOps.length = 0;
  const next: DaemonConfig = {
    ...cfg,
    instances: [{ ...cfg.instances[0]!, params: { ...cfg.instances[0]!.params, vrid: 77, vips: [{ address: '10.0.0.100/24' }, { address: '10.0.0.150/24' }] } }],
  };
  d.reload(next);
  await flush();
  assert.equal(d.machine('VI_1')!.state, 'MASTER');
  assert.equal(d.machine('VI_1')!.lastTransition!.to, 'MASTER');
  assert.deepEqual(vipOps, ['add 10.0.0.150/24 eth0'], 'only the new VIP is added; nothing removed');
  const last = ports[0]!.sent.at(-1)!.advert;
  assert.equal(last.vrid, 77);
  assert.deepEqual(last.addresses, ['10.0.0.100', '10.0.0.150']);
  clock.advance(1000);
  assert.equal(ports[0]!.sent.at(-1)!.advert.vrid, 77);
  await d.shutdown();
});

test('notify scripts get keepalived arguments; lvs_sync_daemon_interface drives ipvsadm', async () => {
  const out = join(tmp, 'notify.log');
  const script = join(tmp, 'notify.sh');
  writeFileSync(script, `#!/bin/sh\necho "$@" >> ${out}\n`);
  chmodSync(script, 0o755);
  const { d, clock } = setup([{ priority: 150 }], { routerId: 'lvs' }, { notify: { generic: [script], master: [script, 'became-master'] }, lvsSyncInterface: 'eth1' });
  d.start();
  clock.advance(3500);
  await d.shutdown();
  for (let i = 0; i < 100 && !(existsSync(out) && readFileSync(out, 'utf8').includes('STOP')); i++) await new Promise((r) => setTimeout(r, 20));
  const lines = readFileSync(out, 'utf8').trim().split('\n').sort();
  assert.deepEqual(lines, ['INSTANCE VI_1 BACKUP 150', 'INSTANCE VI_1 MASTER 150', 'INSTANCE VI_1 STOP 150', 'became-master'].sort());
  for (let i = 0; i < 100 && !(existsSync(lvsLog) && readFileSync(lvsLog, 'utf8').includes('--stop-daemon backup\n--stop-daemon')); i++) await new Promise((r) => setTimeout(r, 20));
  const lvs = readFileSync(lvsLog, 'utf8').trim().split('\n');
  assert.deepEqual(lvs.slice(0, 4), ['--stop-daemon master', '--start-daemon backup --mcast-interface eth1', '--stop-daemon backup', '--start-daemon master --mcast-interface eth1']);
});

test('a hung track_script counts as failed: weight 0 puts the master in FAULT with priority 0', async () => {
  const { d, clock, ports } = setup([{ priority: 150, trackScripts: [{ name: 'chk', weight: 0 }] }], {
    scripts: [{ name: 'chk', argv: ['/bin/sleep', '30'], intervalMs: 1000, timeoutMs: 300, rise: 1, fall: 1 }],
  });
  // Become MASTER before the first (hung) run times out: the ManualClock moves instantly.
  d.start();
  clock.advance(3500);
  assert.equal(d.machine('VI_1')!.state, 'MASTER');
  const t0 = Date.now();
  for (let i = 0; i < 100 && d.machine('VI_1')!.state !== 'FAULT'; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(d.machine('VI_1')!.state, 'FAULT');
  assert.ok(Date.now() - t0 < 1500, 'killed at its timeout, not when it finishes');
  assert.equal(ports[0]!.sent.at(-1)!.advert.priority, 0);
  await d.shutdown();
});

test('smtp_alert through the shared mailer: a real SMTP server receives keepalived-shaped mails', async () => {
  const { startSmtp } = await import('../alerts/helpers/smtp.js');
  const { VrrpAlerting } = await import('../../src/vrrp/mail-sink.js');
  const { parseVrrpConfig } = await import('../../src/vrrp-config/parse.js');
  const { systemClock } = await import('../../src/runtime/clock.js');
  const smtp = await startSmtp();
  try {
    const parsed = parseVrrpConfig(
      `[global]\nrouter_id = lb7\nnotification_email[] = ops@example.org\nnotification_email_from = vrrp@lb7.example.org\nsmtp_server = 127.0.0.1:${smtp.port}\n\n[vrrp_instance VI_1]\ninterface = eth0\nvirtual_router_id = 51\nvirtual_ipaddress[] = 10.0.0.100/24\n`,
      'vrrp.cf',
      { hostname: 'h' },
    );
    assert.ok(parsed.config, JSON.stringify(parsed.diagnostics));
    const log = new MemoryLogger();
    const sink = new VrrpAlerting(parsed.config.global, { clock: systemClock(), log });
    const clock = new ManualClock();
    const d = new VrrpDaemon(
      {
        instances: [{ params: defaultInstanceParams({ name: 'VI_1', vrid: 51, interface: 'eth0', primaryIp: '10.0.0.2', priority: 150 }), notify: {}, smtpAlert: true, mcastGroup: '224.0.0.18' }],
        scripts: [],
        syncGroups: [],
        routerId: parsed.config.global.routerId,
        emails: [...parsed.config.global.emailalert],
      },
      { clock, log, openPort: (spec) => new FakePort(spec), vips: { add: async () => {}, remove: async () => {} }, garp: { announce: async () => {} }, alerts: sink },
    );
    d.start();
    clock.advance(4000);
    const mails = await smtp.waitFor(2, 10_000);
    assert.deepEqual(mails.map((m) => m.subject), ['[lb7] VRRP Instance VI_1 - Entering BACKUP state', '[lb7] VRRP Instance VI_1 - Entering MASTER state']);
    assert.deepEqual(mails[1]!.rcptTo, ['ops@example.org']);
    assert.equal(mails[1]!.envelopeFrom.includes('lb7.example.org') || mails[1]!.fromHeader.includes('vrrp@lb7.example.org'), true);
    assert.match(mails[1]!.text, /=> VRRP Instance is now owning VRRP VIPs <=/);
    await d.shutdown();
    await sink.stop(2000);
  } finally {
    await smtp.close();
  }
});

test('a socket error reopens the socket after 1 s; the instance keeps hearing its peer', async () => {
  const { d, clock, ports, log } = setup([{ priority: 100 }]);
  d.start();
  ports[0]!.deliver(advertPacket(51, 200));
  ports[0]!.emit('error', new Error('ENETDOWN'));
  assert.equal(ports[0]!.closed, true);
  assert.ok(log.messages().some((m) => /VRRP-SOCKET: eth0\|4: ENETDOWN; reopening in 1 s/.test(m)));
  clock.advance(1000);
  assert.equal(ports.length, 2, 'a fresh socket');
  for (let t = 0; t < 10; t++) {
    ports[1]!.deliver(advertPacket(51, 200));
    clock.advance(1000);
  }
  assert.equal(d.machine('VI_1')!.state, 'BACKUP', 'adverts on the new socket hold the backup');
  await d.shutdown();
});

test('log floods: 50,000 bad-password adverts in 10 s give one line and one summary; status keeps the exact count', async () => {
  const { d, clock, log, ports } = setup([{ priority: 100, authPass: 'secret12' }]);
  d.start();
  const before = log.lines.length;
  for (let i = 0; i < 100; i++) {
    for (let k = 0; k < 500; k++) ports[0]!.deliver(advertPacket(51, 200, '10.0.0.9', 'wrongpwd'));
    clock.advance(100);
  }
  const during = log.messages().slice(before);
  assert.deepEqual(during.filter((m) => /passwd|password/.test(m)), [
    '(VI_1) received an invalid passwd!',
    '(VI_1) 49999 more adverts with a bad password from 10.0.0.9 in the last 10 s',
  ]);
  assert.equal(d.status()[0]!.drops['bad-passwd'], 50_000, 'the counter is exact');
  // A second source has its own line; a continuing flood one line + one summary per window.
  ports[0]!.deliver(advertPacket(51, 200, '10.0.0.8', 'wrongpwd'));
  for (let k = 0; k < 10; k++) ports[0]!.deliver(advertPacket(51, 200, '10.0.0.9', 'wrongpwd'));
  clock.advance(10_000);
  const tail = log.messages().slice(before + during.length);
  assert.deepEqual(tail.filter((m) => /passwd|password/.test(m)), [
    '(VI_1) received an invalid passwd!',
    '(VI_1) received an invalid passwd!',
    '(VI_1) 9 more adverts with a bad password from 10.0.0.9 in the last 10 s',
  ]);
  assert.equal(d.status()[0]!.drops['bad-passwd'], 50_011);
});

test('log floods: bad TTL lines and lower-priority lines are throttled per source; counters exact; summaries flushed at stop', async () => {
  const { d, clock, log, ports } = setup([{ priority: 150 }]);
  d.start();
  clock.advance(4000);
  assert.equal(d.machine('VI_1')!.state, 'MASTER');
  const before = log.lines.length;
  for (let i = 0; i < 1000; i++) {
    ports[0]!.deliver({ ...advertPacket(51, 200, '10.0.0.7'), ttl: 64 });
    ports[0]!.deliver(advertPacket(51, 99, '10.0.0.9'));
    clock.advance(5);
  }
  const lines = log.messages().slice(before);
  assert.deepEqual(lines.filter((m) => /ttl|TTL/.test(m)), ['(VI_1) invalid ttl. 64 and expect 255']);
  assert.deepEqual(lines.filter((m) => /lower priority/.test(m)), ['(VI_1) Received advert from 10.0.0.9 with lower priority 99, ours 150, forcing new election']);
  const st = d.status()[0]!;
  assert.equal(st.drops['bad-ttl'], 1000);
  assert.equal(st.drops['lower-priority'], 1000);
  assert.equal(st.state, 'MASTER');
  await d.shutdown();
  const end = log.messages().slice(before + lines.length);
  assert.ok(end.includes('(VI_1) 999 more adverts with a bad TTL from 10.0.0.7 in the last 10 s'), end.join('\n'));
  assert.ok(end.includes('(VI_1) 999 more lower priority adverts (forcing new election) from 10.0.0.9 in the last 10 s'), end.join('\n'));
});

test('log floods: a BACKUP "discarding" line does not hide the "forcing new election" line the same source causes once MASTER', () => {
  const { d, clock, log, ports } = setup([{ priority: 150 }]);
  d.start();
  ports[0]!.deliver(advertPacket(51, 100, '10.0.0.3'));
  clock.advance(4000);
  assert.equal(d.machine('VI_1')!.state, 'MASTER');
  ports[0]!.deliver(advertPacket(51, 100, '10.0.0.3'));
  const lines = log.messages().filter((m) => /lower priority/.test(m));
  assert.deepEqual(lines, [
    '(VI_1) received lower priority (100) advert from 10.0.0.3 - discarding',
    '(VI_1) Received advert from 10.0.0.3 with lower priority 100, ours 150, forcing new election',
  ]);
});
