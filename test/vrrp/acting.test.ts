// The pure parts of the side-effect adapters: argv, packet bytes, mail text, and the
// vrrp.cf model -> runtime parameters mapping.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipAddrArgv } from '../../src/vrrp/vip.js';
import { gratuitousArp, unsolicitedNa } from '../../src/vrrp/garp.js';
import { notifyCommands } from '../../src/vrrp/notify.js';
import { groupStateAfter, initialGroupState } from '../../src/vrrp/sync-group.js';
import { lvsSyncCommands } from '../../src/vrrp/lvs-sync.js';
import { transitionAlert } from '../../src/vrrp/alert.js';
import { daemonConfigFrom, VrrpConfigError } from '../../src/vrrp/from-config.js';
import { parseVrrpConfig } from '../../src/vrrp-config/parse.js';
import { formatStatusTable } from '../../src/vrrp/service.js';

test('ip addr argv: dev, label, scope; IPv6 nodad; host prefix default', () => {
  assert.deepEqual(ipAddrArgv('ip', 'add', { address: '192.0.2.10/24', label: 'eth0:vip', scope: 'global' }, 'eth0'), [
    'ip', '-4', 'addr', 'add', '192.0.2.10/24', 'dev', 'eth0', 'label', 'eth0:vip', 'scope', 'global',
  ]);
  assert.deepEqual(ipAddrArgv('/sbin/ip', 'del', { address: '192.0.2.10', dev: 'eth1', label: 'x' }, 'eth0'), ['/sbin/ip', '-4', 'addr', 'del', '192.0.2.10/32', 'dev', 'eth1']);
  assert.deepEqual(ipAddrArgv('ip', 'add', { address: '2001:db8::10/64' }, 'eth0'), ['ip', '-6', 'addr', 'add', '2001:db8::10/64', 'dev', 'eth0', 'nodad']);
});

test('gratuitous ARP bytes (RFC 826/5227: request, SPA = TPA = VIP, broadcast THA); unsolicited NA bytes (RFC 4861 4.4)', () => {
  assert.equal(
    gratuitousArp('192.0.2.10', '02:00:00:aa:bb:cc').toString('hex'),
    '0001' + '0800' + '06' + '04' + '0001' + '020000aabbcc' + 'c000020a' + 'ffffffffffff' + 'c000020a',
  );
  const na = unsolicitedNa('2001:db8::10', '02:00:00:aa:bb:cc');
  assert.equal(na.toString('hex'), '88000000' + '20000000' + '20010db8000000000000000000000010' + '0201' + '020000aabbcc');
});

test('notify: specific script as written, generic with INSTANCE NAME STATE PRIORITY', () => {
  const s = { master: ['/bin/m', 'x'], generic: ['/bin/n'] };
  assert.deepEqual(notifyCommands(s, 'VI_1', 'MASTER', 150), [['/bin/m', 'x'], ['/bin/n', 'INSTANCE', 'VI_1', 'MASTER', '150']]);
  assert.deepEqual(notifyCommands(s, 'VI_1', 'FAULT', 0), [['/bin/n', 'INSTANCE', 'VI_1', 'FAULT', '0']]);
  assert.deepEqual(notifyCommands({}, 'VI_1', 'STOP', 0), []);
  // a sync group's generic script: GROUP NAME STATE 0 (keepalived notify_script_exec)
  assert.deepEqual(notifyCommands(s, 'G1', 'MASTER', 0, 'GROUP'), [['/bin/m', 'x'], ['/bin/n', 'GROUP', 'G1', 'MASTER', '0']]);
});

test('sync group state: FAULT at once, MASTER when every member is, BACKUP only without a faulty member', () => {
  assert.equal(groupStateAfter(undefined, ['BACKUP', 'INIT'], 'BACKUP'), 'BACKUP');
  assert.equal(groupStateAfter('BACKUP', ['BACKUP', 'BACKUP'], 'BACKUP'), undefined, 'no change, no notify');
  assert.equal(groupStateAfter('BACKUP', ['MASTER', 'BACKUP'], 'MASTER'), undefined, 'not all members are master yet');
  assert.equal(groupStateAfter('BACKUP', ['MASTER', 'MASTER'], 'MASTER'), 'MASTER');
  assert.equal(groupStateAfter('MASTER', ['BACKUP', 'MASTER'], 'BACKUP'), 'BACKUP', 'the first member stepping down');
  assert.equal(groupStateAfter('MASTER', ['FAULT', 'MASTER'], 'FAULT'), 'FAULT');
  assert.equal(groupStateAfter('FAULT', ['BACKUP', 'FAULT'], 'BACKUP'), undefined, 'a member is still faulty');
  assert.equal(groupStateAfter('FAULT', ['BACKUP', 'BACKUP'], 'BACKUP'), 'BACKUP');
  assert.equal(groupStateAfter('MASTER', ['INIT', 'MASTER'], 'INIT'), undefined, 'shutdown is no group transition');
  assert.equal(initialGroupState(['MASTER', 'MASTER']), 'MASTER');
  assert.equal(initialGroupState(['MASTER', 'BACKUP']), undefined);
});

test('sync group notify scripts reach the daemon config', () => {
  const r = parseVrrpConfig('[vrrp_instance VI_1]\ninterface = lo\nvirtual_router_id = 1\nvirtual_ipaddress[] = 10.0.0.1\nunicast_src_ip = 127.0.0.1\n[vrrp_sync_group G1]\ngroup[] = VI_1\nnotify_fault = /bin/f "a b"\nnotify = /bin/n\n', 'v.cf', { hostname: 'h' });
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  assert.deepEqual(daemonConfigFrom(r.config).syncGroups, [{ name: 'G1', instances: ['VI_1'], notify: { master: undefined, backup: undefined, fault: ['/bin/f', 'a b'], stop: undefined, generic: ['/bin/n'] } }]);
});

test('lvs sync daemon commands follow the VRRP state', () => {
  assert.deepEqual(lvsSyncCommands('ipvsadm', 'eth1', 'MASTER'), [
    ['ipvsadm', '--stop-daemon', 'backup'],
    ['ipvsadm', '--start-daemon', 'master', '--mcast-interface', 'eth1'],
  ]);
  assert.deepEqual(lvsSyncCommands('ipvsadm', 'eth1', 'FAULT'), [
    ['ipvsadm', '--stop-daemon', 'master'],
    ['ipvsadm', '--stop-daemon', 'backup'],
  ]);
});

test("mail: keepalived's subject", () => {
  const a = transitionAlert('lb1', 'VI_1', 'MASTER', ['ops@example.org'], Date.UTC(2026, 0, 1));
  assert.equal(a.subject, '[lb1] VRRP Instance VI_1 - Entering MASTER state');
  assert.match(a.body, /now owning VRRP VIPs/);
  assert.deepEqual(a.to, ['ops@example.org']);
});

const CF = `[global]
router_id = lb1
notification_email[] = ops@example.org

[vrrp_script chk]
script = "/usr/bin/test -f /run/ok"
interval = 2
weight = -30
fall = 3

[vrrp_instance VI_1]
state = BACKUP
interface = eth0
virtual_router_id = 51
priority = 150
advert_int = 1
auth_type = PASS
auth_pass = secret123
nopreempt = yes
virtual_ipaddress[] = 192.0.2.10/24 dev eth0 label eth0:1
virtual_ipaddress_excluded[] = 192.0.2.50/24
track_script[] = chk
track_interface[] = eth1 weight -20
notify = /usr/local/bin/n
lvs_sync_daemon_interface = eth1
garp_master_refresh = 60

[vrrp_instance VI_6]
interface = eth0
virtual_router_id = 52
version = 3
advert_int = 0.5
preempt_delay = 10
virtual_ipaddress[] = 2001:db8::10/64
`;

test('vrrp.cf model -> runtime: timers, auth, VIPs, tracking, primary address choice', () => {
  const r = parseVrrpConfig(CF, 'vrrp.cf', { hostname: 'h' });
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  const lookup = (ifname: string, family: 4 | 6): string[] =>
    family === 4 ? ['192.0.2.10', '192.0.2.2'] : ['2001:db8::10', 'fe80::1%eth0', '2001:db8::2'];
  const d = daemonConfigFrom(r.config, lookup);
  const [v1, v6] = d.instances;
  assert.equal(d.routerId, 'lb1');
  assert.deepEqual(d.emails, ['ops@example.org']);
  assert.equal(v1!.params.primaryIp, '192.0.2.2', 'a leftover VIP is never the primary address');
  assert.equal(v1!.params.intervalCs, 100);
  assert.equal(v1!.params.authPass, 'secret12');
  assert.equal(v1!.params.preempt, false);
  assert.equal(v1!.params.initialState, 'BACKUP');
  assert.equal(v6!.params.preemptDelayMs, 10_000);
  assert.equal(v6!.params.preempt, true);
  assert.deepEqual(v1!.params.vips, [{ address: '192.0.2.10/24', dev: 'eth0', label: 'eth0:1', scope: undefined }]);
  assert.deepEqual(v1!.params.excludedVips.map((v) => v.address), ['192.0.2.50/24']);
  assert.deepEqual(v1!.params.trackScripts, [{ name: 'chk', weight: -30 }]);
  assert.deepEqual(v1!.params.trackInterfaces, [{ name: 'eth1', weight: -20 }, { name: 'eth0', weight: 0 }], 'its own interface is tracked implicitly');
  assert.equal(v1!.params.garpMasterRefreshMs, 60_000);
  assert.equal(v1!.lvsSyncInterface, 'eth1');
  assert.deepEqual(v1!.notify.generic, ['/usr/local/bin/n']);
  assert.deepEqual(d.scripts[0], { name: 'chk', argv: ['/usr/bin/test', '-f', '/run/ok'], intervalMs: 2000, timeoutMs: 2000, rise: 1, fall: 3 });
  assert.equal(v6!.params.family, 6);
  assert.equal(v6!.params.primaryIp, 'fe80::1', 'IPv6 adverts come from the link-local address');
  assert.equal(v6!.params.intervalCs, 50);
  assert.equal(v6!.mcastGroup, 'ff02::12');
  assert.throws(() => daemonConfigFrom(r.config!, () => []), (e: unknown) => e instanceof VrrpConfigError && /VRRP-NO-PRIMARY.*unicast_src_ip/.test(e.message));
});

test('status table', () => {
  const t = formatStatusTable([
    { name: 'VI_1', state: 'MASTER', priority: 150, effectivePriority: 120, vrid: 51, interface: 'eth0', master: '10.0.0.2', lastTransition: { from: 'BACKUP', to: 'MASTER', at: '2026-01-01T00:00:00.000Z' }, drops: { 'bad-ttl': 2 } },
  ]);
  assert.match(t, /^INSTANCE\s+STATE\s+PRIO\s+EFF/);
  assert.match(t, /VI_1\s+MASTER\s+150\s+120\s+51\s+eth0\s+10\.0\.0\.2\s+BACKUP->MASTER 2026-01-01T00:00:00\.000Z\s+bad-ttl=2/);
});
