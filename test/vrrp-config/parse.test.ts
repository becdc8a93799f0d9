import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MINIMAL, parse, repoFile } from './helpers.js';

const ISSUE_EXAMPLE = `[global]
router_id = lb01
emailalert = ops@example.com, oncall@example.com
emailalertfrom = haldir@lb01.example.com
smtp = 127.0.0.1:25

[vrrp_instance VI_1]
state = MASTER              ; initial state
interface = eth0
virtual_router_id = 50
priority = 150
advert_int = 1
version = 2
auth_type = PASS
auth_pass = 123456
virtual_ipaddress[] = 10.0.0.100/24
virtual_ipaddress[] = 10.0.0.101/24 dev eth1 label eth1:1
nopreempt = no
preempt_delay = 0
unicast_peer[] = 10.0.0.11   ; optional: unicast instead of multicast
track_script[] = check_web
track_interface[] = eth1
notify_master = /etc/ha.d/notify.sh master
smtp_alert = yes

[vrrp_instance VI_2]
state = MASTER
interface = eth0
virtual_router_id = 51
virtual_ipaddress[] = 10.0.0.200

[vrrp_script check_web]
script = /server/scripts/check_web.sh
interval = 2
timeout = 2
weight = -50
fall = 2
rise = 2

[vrrp_sync_group VG_1]
group[] = VI_1
group[] = VI_2
`;

test('the issue example parses into the effective model', () => {
  const r = parse(ISSUE_EXAMPLE);
  // keepalived 2.2.7 ignores track weights of sync group members; so does haldir, and says so
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line]), [['W-SYNC-GROUP-STATE', 7], ['W-SYNC-GROUP-WEIGHT', 21], ['W-SYNC-GROUP-STATE', 26]]);
  // a sync group with members below priority 255 starts BACKUP (keepalived 2.2.7)
  assert.deepEqual(r.config?.instances.map((i) => [i.initialState, i.priority]), [['BACKUP', 150], ['BACKUP', 255]]);
  const c = r.config;
  assert.ok(c);
  assert.equal(c.global.routerId, 'lb01');
  assert.deepEqual(c.global.emailalert, ['ops@example.com', 'oncall@example.com']);
  assert.equal(c.global.emailalertfrom, 'haldir@lb01.example.com');
  assert.deepEqual(c.global.smtp, { host: '127.0.0.1', port: 25 });
  const [vi1, vi2] = c.instances;
  assert.ok(vi1 && vi2);
  assert.equal(vi1.name, 'VI_1');
  assert.equal(vi1.interface, 'eth0');
  assert.equal(vi1.vrid, 50);
  assert.equal(vi1.priority, 150);
  assert.equal(vi1.advertInt, 1);
  assert.equal(vi1.version, 2);
  assert.equal(vi1.family, 'inet');
  assert.equal(vi1.nopreempt, false);
  assert.deepEqual(vi1.auth, { type: 'PASS', pass: '123456' });
  assert.deepEqual(vi1.vips.map((v) => [v.address, v.prefix, v.dev, v.label]), [
    ['10.0.0.100', 24, undefined, undefined],
    ['10.0.0.101', 24, 'eth1', 'eth1:1'],
  ]);
  assert.equal(vi1.vips[1]?.source.line, 17);
  assert.deepEqual(vi1.unicastPeers, ['10.0.0.11']);
  // keepalived drops a weighted track_script of a sync group member
  assert.deepEqual(vi1.trackScripts, []);
  assert.deepEqual(vi1.trackInterfaces.map((t) => [t.name, t.weight]), [['eth1', 0]]);
  assert.deepEqual(vi1.notify.master?.argv, ['/etc/ha.d/notify.sh', 'master']);
  assert.equal(vi1.notify.backup, undefined);
  assert.equal(vi1.smtpAlert, true);
  assert.equal(vi1.syncGroup, 'VG_1');
  assert.deepEqual(vi1.source, { file: 'test.cf', line: 7 });
  const s = c.scripts[0];
  assert.deepEqual(
    s && [s.name, s.script.argv, s.interval, s.timeout, s.weight, s.fall, s.rise],
    ['check_web', ['/server/scripts/check_web.sh'], 2, 2, -50, 2, 2],
  );
  assert.deepEqual(c.syncGroups.map((g) => [g.name, g.instances]), [['VG_1', ['VI_1', 'VI_2']]]);
});

test('defaults: keepalived 2.2.7 values for everything left out', () => {
  const r = parse(MINIMAL + '[vrrp_script s]\nscript = /bin/true\n[vrrp_instance VI_2]\ninterface = eth0\nvirtual_router_id = 51\nvirtual_ipaddress[] = 10.0.0.2\ntrack_script[] = s\n');
  assert.deepEqual(r.diagnostics, []);
  const c = r.config;
  assert.ok(c);
  assert.equal(c.global.routerId, 'testhost');
  assert.deepEqual(c.global.emailalert, []);
  assert.equal(c.global.smtp, undefined);
  assert.equal(c.global.smtpConnectTimeout, 30);
  assert.equal(c.global.smtptls, 'none');
  assert.equal(c.global.mcastGroup4, '224.0.0.18');
  assert.equal(c.global.mcastGroup6, 'ff02::12');
  assert.equal(c.global.version, 2);
  assert.equal(c.global.peer, undefined);
  assert.deepEqual(c.global.splitBrainAction, { kind: 'alert' });
  const i = c.instances[0];
  assert.ok(i);
  assert.equal(i.initialState, 'BACKUP');
  assert.equal(i.priority, 100);
  assert.equal(i.advertInt, 1);
  assert.equal(i.version, 2);
  assert.equal(i.nopreempt, false);
  assert.equal(i.preemptDelay, 0);
  assert.equal(i.auth, undefined);
  assert.equal(i.garpMasterDelay, 5);
  assert.equal(i.garpMasterRepeat, 5);
  assert.equal(i.garpMasterRefresh, 0);
  assert.equal(i.smtpAlert, false);
  assert.deepEqual(i.unicastPeers, []);
  assert.equal(i.syncGroup, undefined);
  assert.equal(i.vips[0]?.prefix, 100 > 0 ? 24 : 0);
  const sc = c.scripts[0];
  assert.deepEqual(sc && [sc.interval, sc.timeout, sc.weight, sc.rise, sc.fall], [1, 1, 0, 1, 1]);
  // a VIP without /prefix is a host route, as keepalived adds it
  assert.equal(c.instances[1]?.vips[0]?.prefix, 32);
  assert.equal(c.instances[1]?.trackScripts[0]?.weight, 0);
});

test('every directive of the documented etc/vrrp.cf, all options uncommented, reaches the model', () => {
  const all = repoFile('etc/vrrp.cf').replace(/^;([a-z_0-9]+(\[\])? = )/gm, '$1');
  const grouped = parse(all.replace(/^;\[vrrp_sync/m, '[vrrp_sync'));
  assert.deepEqual(grouped.config?.syncGroups.map((g) => [g.name, g.instances]), [['VG_1', ['VI_1']]]);
  assert.deepEqual(grouped.diagnostics.map((d) => d.code), ['W-SYNC-GROUP-STATE', 'W-SYNC-GROUP-WEIGHT', 'W-SYNC-GROUP-WEIGHT', 'W-SYNC-GROUP-WEIGHT']);
  assert.deepEqual(grouped.config?.instances[0]?.trackScripts, []);
  assert.deepEqual(grouped.config?.instances[0]?.trackInterfaces.map((t) => t.weight), [0, 0]);
  const gn = grouped.config?.syncGroups[0]?.notify;
  assert.deepEqual([gn?.master, gn?.backup, gn?.fault, gn?.stop, gn?.generic].map((n) => n?.argv.join(' ')), [
    '/etc/ha.d/notify-group.sh master', '/etc/ha.d/notify-group.sh backup', '/etc/ha.d/notify-group.sh fault', '/etc/ha.d/notify-group.sh stop', '/etc/ha.d/notify-group-any.sh',
  ]);
  // without the sync group (its lines outside the section would land in the instance, so drop them too)
  const r = parse(all.replace(/^;\[vrrp_sync_group[\s\S]*$/m, ''));
  assert.deepEqual(r.diagnostics, []);
  const c = r.config;
  assert.ok(c);
  const g = c.global;
  assert.deepEqual([g.emailalertfrom, g.smtp, g.smtpuser, g.smtppasswd, g.smtptls, g.smtpAlert], [
    'haldir@lb01.example.com', { host: '127.0.0.1', port: 25 }, 'alerts', 'secret;with#specials', 'none', false,
  ]);
  assert.deepEqual([g.peer, g.statusListen], [{ host: '10.0.0.11', port: 7474 }, { host: '10.0.0.10', port: 7474 }]);
  assert.deepEqual(g.notifySplitBrain?.argv, ['/etc/ha.d/split-brain.sh']);
  const i = c.instances[0];
  assert.ok(i);
  assert.equal(i.vips.length, 2);
  assert.deepEqual(i.excludedVips.map((v) => [v.address, v.family, v.prefix]), [['fd00::100', 'inet6', 64]]);
  assert.equal(i.unicastSrcIp, '10.0.0.10');
  assert.deepEqual(i.trackScripts.map((t) => t.weight), [-60, -20]);
  assert.deepEqual(i.trackInterfaces.map((t) => [t.name, t.weight]), [['eth1', 0], ['eth2', -30]]);
  assert.deepEqual(
    [i.notify.master, i.notify.backup, i.notify.fault, i.notify.stop, i.notify.generic].map((n) => n?.argv.join(' ')),
    ['/etc/ha.d/notify.sh master', '/etc/ha.d/notify.sh backup', '/etc/ha.d/notify.sh fault', '/etc/ha.d/notify.sh stop', '/etc/ha.d/notify-any.sh'],
  );
  assert.equal(i.lvsSyncDaemonInterface, 'eth1');
  assert.deepEqual(i.splitBrainAction, { kind: 'yield' });
  assert.deepEqual(i.peer, g.peer, 'split-brain settings are inherited from [global]');
  assert.deepEqual(c.syncGroups, []);
});

test('values: v3 sub-second adverts, IPv6, quoting, bare flags, aliases, split-brain script', () => {
  const r = parse(`[global]
notification_email = a@b.c
smtp_server = 10.1.1.1 2525
vrrp_version = 3
split_brain_action = script:/usr/local/bin/sb "two words"
[vrrp_instance V6]
interface = eth0
virtual_router_id = 7
advert_int = 0.25
nopreempt
state = BACKUP
virtual_ipaddress[] = FD00::1/64 dev eth1 scope global
unicast_src_ip = fd00::2
unicast_peer[] = fd00::3
notify_master = "/opt/x y/notify.sh" 'a b' c\\ d
auth_pass = "ab#cd;ef"
auth_type = PASS
`);
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['W-AUTH-V3-IGNORED']);
  const c = r.config;
  assert.ok(c);
  assert.deepEqual(c.global.emailalert, ['a@b.c']);
  assert.deepEqual(c.global.smtp, { host: '10.1.1.1', port: 2525 });
  const i = c.instances[0];
  assert.ok(i);
  assert.deepEqual([i.version, i.advertInt, i.family, i.nopreempt, i.initialState, i.auth], [3, 0.25, 'inet6', true, 'BACKUP', undefined]);
  assert.deepEqual(i.vips[0] && [i.vips[0].address, i.vips[0].prefix, i.vips[0].dev, i.vips[0].scope], ['fd00::1', 64, 'eth1', 'global']);
  assert.deepEqual(i.notify.master?.argv, ['/opt/x y/notify.sh', 'a b', 'c d']);
  assert.deepEqual(i.splitBrainAction, { kind: 'script', command: { raw: '/usr/local/bin/sb "two words"', argv: ['/usr/local/bin/sb', 'two words'] } });
});

test('an IPv6 instance with the default version runs VRRPv3 (keepalived switches it)', () => {
  const r = parse('[vrrp_instance V]\ninterface = eth0\nvirtual_router_id = 1\nvirtual_ipaddress[] = fd00:0:0::1\n');
  assert.equal(r.config?.instances[0]?.version, 3);
  assert.equal(r.config?.instances[0]?.vips[0]?.address, 'fd00::1', 'RFC 5952 text, as ip(8) and keepalived print it');
  // also under [global] vrrp_version = 2 (the default for the IPv4 instances)
  const g = parse('[global]\nvrrp_version = 2\n[vrrp_instance V]\ninterface = eth0\nvirtual_router_id = 1\nvirtual_ipaddress[] = fd00::1\n');
  assert.deepEqual(g.diagnostics, []);
  assert.equal(g.config?.instances[0]?.version, 3);
});

test('auth_pass longer than 8: a warning, and the first 8 characters go on the wire', () => {
  const r = parse(MINIMAL + 'auth_type = PASS\nauth_pass = 1234567890\n');
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line]), [['W-AUTH-PASS-TRUNCATED', 6]]);
  assert.equal(r.config?.instances[0]?.auth?.pass, '12345678');
});

test('example files parse without errors or warnings', () => {
  for (const f of ['etc/vrrp.cf', 'etc/examples/vrrp-single-lb01.cf', 'etc/examples/vrrp-single-lb02.cf', 'etc/examples/vrrp-dual-director1.cf', 'etc/examples/vrrp-dual-director2.cf']) {
    const r = parse(repoFile(f));
    assert.deepEqual(r.diagnostics, [], f);
    assert.ok(r.config, f);
  }
});

test('the pair examples are consistent pairs: same VRIDs, VIPs and passwords, opposite roles', () => {
  const cfg = (f: string) => {
    const c = parse(repoFile(`etc/examples/${f}`)).config;
    assert.ok(c, f);
    return c;
  };
  for (const [a, b] of [['vrrp-single-lb01.cf', 'vrrp-single-lb02.cf'], ['vrrp-dual-director1.cf', 'vrrp-dual-director2.cf']] as const) {
    const A = cfg(a);
    const B = cfg(b);
    assert.equal(A.instances.length, B.instances.length);
    A.instances.forEach((ia, n) => {
      const ib = B.instances[n];
      assert.ok(ib);
      assert.deepEqual([ia.name, ia.vrid, ia.vips.map((v) => v.address), ia.auth], [ib.name, ib.vrid, ib.vips.map((v) => v.address), ib.auth]);
      assert.notEqual(ia.initialState, ib.initialState, `${a} ${ia.name}`);
      assert.equal(ia.initialState === 'MASTER', ia.priority > ib.priority, `${a} ${ia.name}: the MASTER has the higher priority`);
    });
    assert.deepEqual(A.global.peer?.host, B.global.statusListen?.host);
    assert.deepEqual(B.global.peer?.host, A.global.statusListen?.host);
  }
  // dual master: each director is MASTER of exactly one instance
  const d1 = cfg('vrrp-dual-director1.cf');
  assert.deepEqual(d1.instances.map((i) => i.initialState), ['MASTER', 'BACKUP']);
});

test('CRLF line ends and a byte-order mark are read like plain LF files', () => {
  const r = parse('\uFEFF' + MINIMAL.replaceAll('\n', '\r\n') + 'priority = 300\r\n');
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line, d.column]), [['E-PRIORITY-RANGE', 5, 12]]);
});
