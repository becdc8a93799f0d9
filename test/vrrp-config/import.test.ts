import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importKeepalived, runImportKeepalived } from '../../src/vrrp-config/import-keepalived.js';
import { processIo } from '../../src/vrrp-config/cli-io.js';
import { ROOT, STRICT_NO_VIP, TRACK_INTERFACE_INLINE, memoryIo, parse, repoFile } from './helpers.js';

const FIX = 'test/fixtures/keepalived/';
const fixture = (name: string) => repoFile(FIX + name);
const convert = (name: string) => {
  const r = importKeepalived(fixture(name), name);
  const p = parse(r.vrrpCf);
  assert.deepEqual(p.diagnostics.filter((d) => d.severity === 'error'), [], `${name}:\n${r.vrrpCf}`);
  assert.ok(p.config);
  return { ...r, config: p.config };
};

test('every keepalived fixture converts to a vrrp.cf that parses without errors', () => {
  const names = readdirSync(ROOT + FIX).filter((f) => f.endsWith('.conf'));
  assert.ok(names.length >= 7);
  for (const n of names) convert(n);
});

test('seed 000 (LVS-DR dual master): both instances converted, virtual_server blocks reported', () => {
  const r = convert('seed000-director1.conf');
  assert.deepEqual(r.config.instances.map((i) => [i.name, i.initialState, i.vrid, i.priority, i.vips[0]?.address, i.auth?.pass]), [
    ['VI_1', 'MASTER', 108, 100, '192.168.0.111', '1111'],
    ['VI_2', 'BACKUP', 109, 80, '192.168.0.222', '1111'],
  ]);
  assert.equal(r.config.global.routerId, 'LVS_DEVEL');
  assert.equal(r.config.global.mcastGroup4, '224.0.4.223');
  assert.deepEqual(r.config.global.emailalert, ['root@localhost']);
  assert.equal(r.config.global.emailalertfrom, 'Alexandre.Cassen@firewall.loc');
  assert.deepEqual(r.config.global.smtp, { host: '127.0.0.1', port: 25 });
  assert.equal(r.config.global.smtpConnectTimeout, 30);
  assert.deepEqual(r.unconverted.map((u) => [u.line, u.text]), [[28, 'virtual_server 192.168.0.111 80 {'], [77, 'virtual_server 192.168.0.222 80 {']]);
  assert.ok(r.unconverted.every((u) => u.reason.includes('ldirectord.cf')));
});

test('seed 000 director2 (a "}" missing in the article): the break is reported, both instances survive', () => {
  const r = convert('seed000-director2-missing-brace.conf');
  assert.deepEqual(r.config.instances.map((i) => [i.name, i.initialState, i.priority]), [['VI_1', 'BACKUP', 80], ['VI_2', 'MASTER', 100]]);
  const missing = r.unconverted.find((u) => u.reason.startsWith('missing "}"'));
  assert.ok(missing);
  assert.equal(missing.line, 27);
  assert.match(missing.reason, /vrrp_instance VI_1 \(line 13\)/);
});

test('seed 002 (nginx + keepalived): master/backup pair and the check_web track script', () => {
  const a = convert('seed002-lb01.conf').config;
  const b = convert('seed002-lb02.conf').config;
  assert.deepEqual([a.global.routerId, a.instances[0]?.initialState, a.instances[0]?.priority], ['lb01', 'MASTER', 150]);
  assert.deepEqual([b.global.routerId, b.instances[0]?.initialState, b.instances[0]?.priority], ['lb02', 'BACKUP', 100]);
  const w = convert('seed002-lb01-check-web.conf');
  assert.deepEqual(w.unconverted, []);
  const s = w.config.scripts[0];
  assert.deepEqual(s && [s.name, s.script.argv, s.interval, s.weight], ['check_web', ['/server/scripts/check_web.sh'], 10, 50]);
  assert.deepEqual(w.config.instances[0]?.trackScripts.map((t) => [t.name, t.weight]), [['check_web', 50]]);
});

test('seed 004 (book chapter): sync groups converted, a misspelt keyword gets a suggestion', () => {
  const r = convert('seed004-lvs-cnc-1.conf');
  assert.deepEqual(r.config.syncGroups.map((g) => [g.name, g.instances]), [['VGM', ['VI_CACHE']]]);
  const typo = r.unconverted.find((u) => u.text.startsWith('lvs_sync_daemon_inteface'));
  assert.ok(typo);
  assert.match(typo.reason, /did you mean lvs_sync_daemon_interface/);
  assert.equal(convert('seed004-lvs-cnc-2.conf').config.instances[0]?.lvsSyncDaemonInterface, 'eth1');
});

test('round trip: every supported keepalived keyword arrives in the model with its value', () => {
  const r = convert('every-block.conf');
  const c = r.config;
  assert.deepEqual(r.unconverted.map((u) => u.text), ['script_user root', 'enable_script_security']);
  assert.deepEqual(
    [c.global.routerId, c.global.emailalert, c.global.emailalertfrom, c.global.smtp, c.global.smtpConnectTimeout, c.global.mcastGroup4, c.global.mcastGroup6, c.global.version],
    ['LB_EVERY', ['ops@example.com', 'oncall@example.com'], 'haldir@lb01.example.com', { host: '127.0.0.1', port: 2525 }, 30, '224.0.0.18', 'ff02::12', 2],
  );
  assert.deepEqual(c.scripts.map((s) => [s.name, s.script.argv, s.interval, s.timeout, s.weight, s.rise, s.fall]), [
    ['check_web', ['/bin/true', 'web'], 2, 3, -50, 2, 3],
    ['check_db', ['/bin/true'], 5, 5, 0, 1, 1],
  ]);
  assert.deepEqual(c.syncGroups.map((g) => g.instances), [['VI_2', 'VI_6']]);
  const gn = c.syncGroups[0]?.notify;
  assert.deepEqual([gn?.master, gn?.backup, gn?.fault, gn?.stop, gn?.generic].map((n) => n?.argv), [
    ['/bin/true', 'group-master'], ['/bin/true', 'group-backup'], ['/bin/true', 'group-fault'], ['/bin/true', 'group-stop'], ['/bin/true'],
  ]);
  const [vi1, vi2, vi6] = c.instances;
  assert.ok(vi1 && vi2 && vi6);
  assert.deepEqual([vi1.initialState, vi1.interface, vi1.vrid, vi1.priority, vi1.advertInt, vi1.version, vi1.auth], ['MASTER', 'eth0', 50, 150, 1, 2, { type: 'PASS', pass: '123456' }]);
  assert.deepEqual(vi1.vips.map((v) => [v.address, v.prefix, v.dev, v.label, v.scope]), [
    ['10.0.0.100', 24, undefined, undefined, undefined],
    ['10.0.0.101', 24, 'eth1', 'eth1:1', undefined],
    ['10.0.0.102', 32, undefined, undefined, 'link'],
  ]);
  assert.deepEqual(vi1.excludedVips.map((v) => v.address), ['10.0.1.100']);
  assert.deepEqual([vi1.unicastSrcIp, vi1.unicastPeers], ['10.0.0.10', ['10.0.0.11']]);
  assert.deepEqual(vi1.trackScripts.map((t) => [t.name, t.weight]), [['check_web', -50], ['check_db', 10]]);
  assert.deepEqual(vi1.trackInterfaces.map((t) => [t.name, t.weight]), [['eth1', 0], ['eth2', -20]]);
  assert.deepEqual(
    [vi1.notify.master, vi1.notify.backup, vi1.notify.fault, vi1.notify.stop, vi1.notify.generic].map((n) => n?.argv),
    [['/bin/true', 'master'], ['/bin/true', 'backup'], ['/bin/true', 'fault'], ['/bin/true', 'stop'], ['/bin/true']],
  );
  assert.deepEqual([vi1.smtpAlert, vi1.garpMasterDelay, vi1.garpMasterRepeat, vi1.garpMasterRefresh], [true, 5, 3, 60]);
  assert.deepEqual([vi2.version, vi2.advertInt, vi2.nopreempt, vi2.initialState], [3, 0.5, true, 'BACKUP']);
  assert.deepEqual([vi6.family, vi6.version, vi6.preemptDelay, vi6.vips[0]?.address, vi6.vips[0]?.prefix], ['inet6', 3, 30, 'fd00::100', 64]);
});

test('grammar: comments, quotes, braces on their own line, include, one-line blocks, values ini would cut', () => {
  const r = importKeepalived(`! comment
include /etc/keepalived/other.conf
global_defs
{
  router_id "lb #1"   # trailing comment
}
vrrp_instance VI_1 { state MASTER
  interface eth0
  virtual_router_id 9
  nopreempt
  authentication { auth_type AH
  auth_pass "a;b" }
  virtual_ipaddress { 10.9.9.9/24 }
  notify_master "/usr/bin/logger -t vrrp 'became master'"
  dont_track_primary
}
static_ipaddress {
  10.1.1.1/24 dev eth0
}
}
`, 'k.conf');
  const p = parse(r.vrrpCf);
  assert.deepEqual(p.diagnostics.filter((d) => d.severity === 'error'), [], r.vrrpCf);
  const c = p.config;
  assert.ok(c);
  assert.equal(c.global.routerId, 'lb #1');
  const i = c.instances[0];
  assert.ok(i);
  // keepalived clears nopreempt on an address owner (vrrp_complete_instance): so does the import, and says so.
  // state MASTER without a priority is the owner (255), which keepalived keeps MASTER even with AH
  // authentication (checked with keepalived -d: Wantstate = MASTER); haldir has no AH.
  assert.deepEqual([i.initialState, i.priority, i.nopreempt, i.vrid, i.vips[0]?.address], ['MASTER', 255, false, 9, '10.9.9.9']);
  assert.deepEqual(i.notify.master?.argv, ['/usr/bin/logger', '-t', 'vrrp', 'became master']);
  const reasons = r.unconverted.map((u) => [u.line, u.reason.split(':')[0]]);
  assert.deepEqual(reasons, [
    [2, 'include is not followed'],
    [10, 'nopreempt with priority 255'],
    [11, 'auth_type AH'],
    [12, 'E-AUTH-INCOMPLETE'],
    [15, 'vrrp_instance dont_track_primary'],
    [17, 'static_ipaddress'],
    [20, 'a "}" that closes no block'],
  ]);
  // auth_pass without a PASS auth_type would not parse: the repair pass comments it out and reports it
  assert.match(r.vrrpCf, /^; auth_pass = "a;b"$/m);
});

test('runImportKeepalived writes -o OUT and lists what it did not convert', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-import-'));
  try {
    const out = join(dir, 'vrrp.cf');
    const err: string[] = [];
    const io = { ...processIo, stdout: () => assert.fail('nothing on stdout with -o'), stderr: (t: string) => void err.push(t) };
    const src = ROOT + FIX + 'seed000-director1.conf';
    assert.equal(await runImportKeepalived(['-o', out, src], io), 0);
    assert.ok(parse(readFileSync(out, 'utf8')).config);
    const text = err.join('');
    assert.match(text, /seed000-director1\.conf:28: warning\[I-UNCONVERTED\]: LVS virtual servers belong in ldirectord\.cf/);
    assert.match(text, /converted; 2 item\(s\) not converted\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runImportKeepalived: stdout by default, usage errors, unreadable input', async () => {
  let io = memoryIo({ '/etc/keepalived/keepalived.conf': fixture('seed002-lb02.conf') });
  assert.equal(await runImportKeepalived([], io), 0);
  assert.match(io.out, /^\[vrrp_instance VI_1\]$/m);
  io = memoryIo();
  assert.equal(await runImportKeepalived(['-o'], io), 2);
  io = memoryIo();
  assert.equal(await runImportKeepalived(['/missing.conf'], io), 1);
  assert.match(io.err, /error\[E-FILE\]/);
  // a keepalived.conf with only virtual servers has nothing for vrrp.cf: exit 1, said plainly
  io = memoryIo({ 'lvs.conf': 'virtual_server 10.0.0.1 80 {\n  lb_algo rr\n}\n' });
  assert.equal(await runImportKeepalived(['lvs.conf'], io), 1);
  assert.match(io.err, /E-NO-INSTANCES/);
  assert.match(io.err, /does NOT pass configtest/);
});

test('keepalived conditional lines (@id, @^id) follow the config id, like keepalived -i', () => {
  const text = repoFile(FIX + 'samples/keepalived.conf.conditional_conf.conf');
  const none = importKeepalived(text, 'c.conf');
  assert.ok(none.unconverted.some((u) => u.text.startsWith('@high') && /pass --config-id ID/.test(u.reason)));
  const high = importKeepalived(text, 'c.conf', { configId: 'high' });
  const low = importKeepalived(text, 'c.conf', { configId: 'low' });
  const prio = (r: typeof high) => parse(r.vrrpCf).config?.instances[0]?.priority;
  assert.deepEqual([prio(high), prio(low)], [170, 85]);
  assert.deepEqual(parse(high.vrrpCf).config?.scripts[0]?.script.argv, ['/etc/keepalived/scripts/check_high_VI_0.sh']);
  assert.ok(high.unconverted.some((u) => u.text.startsWith('@low') && /another config id than high/.test(u.reason)));
});

test('keepalived\'s samples: AH on a MASTER starts BACKUP, old-style sync group members are reported, mcast_src_ip is the source address', () => {
  const ssl = importKeepalived(repoFile(FIX + 'samples/keepalived.conf.SSL_GET.conf'), 's.conf');
  assert.equal(parse(ssl.vrrpCf).config?.instances[0]?.initialState, 'BACKUP');
  assert.ok(ssl.unconverted.some((u) => /auth_type AH/.test(u.reason)));
  const lvs = importKeepalived(repoFile(FIX + 'samples/keepalived.conf.vrrp.lvs_syncd.conf'), 'l.conf');
  assert.ok(lvs.unconverted.some((u) => u.text === 'VI_2' && /members belong in group/.test(u.reason)));
  assert.deepEqual(parse(lvs.vrrpCf).config?.syncGroups, [], 'keepalived removes the empty group too');
  const src = importKeepalived('vrrp_instance V {\n interface eth0\n virtual_router_id 1\n mcast_src_ip 10.0.0.5\n virtual_routes {\n }\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n', 'm.conf');
  assert.equal(parse(src.vrrpCf).config?.instances[0]?.unicastSrcIp, '10.0.0.5');
  assert.match(src.unconverted[0]?.reason ?? '', /virtual_routes: haldir-vrrp has no equivalent keyword/, 'a real keyword gets no did-you-mean');
});

test('LVS-only keepalived samples: every virtual_server reported, nothing else lost', () => {
  for (const f of ['keepalived.conf.IPv6.conf', 'keepalived.conf.virtual_server_group.conf']) {
    const r = importKeepalived(repoFile(FIX + 'samples/' + f), f);
    assert.ok(r.unconverted.some((u) => u.reason.includes('ldirectord.cf')), f);
    assert.ok(r.unconverted.some((u) => u.reason.includes('E-NO-INSTANCES')), f);
  }
});

test('virtual addresses keep dev/label/scope/brd; keepalived-only options are dropped and reported, not the address', () => {
  const r = importKeepalived('vrrp_instance V {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1/24 dev eth1 no_track preferred_lft 0 label eth1:7\n  10.0.0.2\n }\n}\n', 'v.conf');
  const i = parse(r.vrrpCf).config?.instances[0];
  assert.deepEqual(i?.vips.map((v) => [v.address, v.prefix, v.dev, v.label]), [['10.0.0.1', 24, 'eth1', 'eth1:7'], ['10.0.0.2', 32, undefined, undefined]]);
  assert.deepEqual(r.unconverted.map((u) => [u.line, u.reason.split(':')[0]]), [[5, 'virtual address options no_track preferred_lft 0']]);
});

test('vrrp_strict (keepalived\'s own default configuration): BACKUP unless priority 255, no authentication, and said so', () => {
  const r = importKeepalived(repoFile(FIX + 'samples/keepalived.conf.upstream-default.conf'), 'default.conf');
  const i = parse(r.vrrpCf).config?.instances[0];
  assert.deepEqual([i?.initialState, i?.priority, i?.auth], ['BACKUP', 100, undefined], r.vrrpCf);
  const fixups = r.unconverted.filter((u) => u.code === 'I-FIXUP' || /strict/.test(u.reason)).map((u) => [u.line, u.text.split(' ')[0]]);
  assert.deepEqual(fixups, [[14, 'vrrp_strict'], [20, 'state'], [25, 'authentication']]);
  assert.match(r.unconverted.find((u) => u.line === 14)?.reason ?? '', /no_accept/);
  const s = convert('strict-mode.conf').config.instances;
  assert.deepEqual(s.map((x) => [x.name, x.initialState, x.priority, x.nopreempt, x.preemptDelay, x.version, x.auth?.pass]), [
    ['VI_1', 'BACKUP', 150, true, 0, 2, undefined],
    ['VI_2', 'MASTER', 255, false, 0, 2, undefined],
    ['VI_3', 'BACKUP', 100, false, 0, 2, undefined],
    ['VI_4', 'BACKUP', 100, false, 0, 3, undefined],
    ['VI_5', 'MASTER', 150, false, 0, 2, 'secret5'],
    ['VI_6', 'BACKUP', 90, false, 0, 2, undefined],
  ]);
});

test('vrrp_strict without a VIP: keepalived refuses to run the file, the import says so as an error, exit 1', async () => {
  const io = memoryIo({ 's.conf': STRICT_NO_VIP });
  assert.equal(await runImportKeepalived(['s.conf'], io), 1);
  assert.match(io.err, /^s\.conf:11: error\[I-REJECTED\]: keepalived refuses to run with this instance \("No VIP specified; at least one is required" in strict mode\)/m);
  assert.match(io.err, /keepalived itself refuses to run this file\n$/);
  // what the author wrote is still converted
  assert.deepEqual(parse(io.out).config?.instances.map((i) => i.name), ['VI_1', 'VI_2']);
});

test('an invalid priority is keepalived\'s default 100 (not 255 for state MASTER), with a warning; preempt is a keyword', () => {
  const r = convert('priority-preempt.conf');
  assert.deepEqual(r.config.instances.map((i) => [i.name, i.initialState, i.priority, i.nopreempt]), [
    ['VI_1', 'MASTER', 100, false], ['VI_2', 'BACKUP', 100, false], ['VI_3', 'BACKUP', 90, false], ['VI_4', 'BACKUP', 80, false],
  ]);
  assert.deepEqual(r.unconverted.map((u) => [u.line, u.code, u.reason.split(':')[0]]), [
    [11, 'I-FIXUP', 'priority 300 is not a whole number in 1..255'],
    [21, 'I-FIXUP', 'priority high is not a whole number in 1..255'],
  ]);
  assert.ok(!r.unconverted.some((u) => /did you mean/.test(u.reason)), 'preempt is no typo of nopreempt');
});

test('track_interface with a word on its line: converted as meant, with a warning that keepalived swallows the next lines', () => {
  const r = importKeepalived(TRACK_INTERFACE_INLINE, 't.conf');
  const i = parse(r.vrrpCf).config?.instances[0];
  assert.deepEqual([i?.trackInterfaces.map((t) => t.name), i?.auth?.pass, i?.vips.length], [['eth0'], '1111', 1]);
  assert.equal(r.unconverted.length, 1);
  const [n] = r.unconverted;
  assert.deepEqual([n?.line, n?.code], [6, 'I-DIFFERS']);
  assert.match(n?.reason ?? '', /ignores "eth0" \("Block track_interface has extra parameters"\) and reads lines 7-10, up to the first "}", as track_interface entries \(losing authentication\)/);
  assert.match(n?.reason ?? '', /Write track_interface \{ eth0 \}/);
  // `{` on the next line opens the block as written: nothing swallowed
  const ok = importKeepalived('vrrp_instance V {\n interface eth0\n virtual_router_id 1\n track_interface\n {\n  eth1\n }\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n', 'o.conf');
  assert.deepEqual(ok.unconverted, []);
});

test('messages: template lines are reported once each; file-wide problems carry no line 0', async () => {
  const conf = 'vrrp_instance {{ name }} {\n  state {{ state }}\n  interface eth0\n  virtual_router_id 51\n  priority {{ prio }}\n  virtual_ipaddress {\n{% for ip in vips %}\n    {{ ip }}/24 {{ dev }}\n{% endfor %}\n  }\n}\n';
  const io = memoryIo({ 'k.j2': conf });
  assert.equal(await runImportKeepalived(['k.j2'], io), 1);
  const lines = io.err.trimEnd().split('\n');
  const templ = lines.filter((l) => /error\[I-TEMPLATE\]/.test(l)).map((l) => Number(/^k\.j2:(\d+):/.exec(l)?.[1]));
  assert.deepEqual(templ, [1, 2, 5, 7, 8, 9], io.err);
  for (const n of [1, 2, 5, 7, 8, 9]) assert.equal(lines.filter((l) => l.startsWith(`k.j2:${n}:`)).length, 1, `line ${n} once:\n${io.err}`);
  assert.ok(!/:0:/.test(io.err), io.err);
  assert.match(io.err, /^k\.j2: error\[I-OUTPUT\]: the written vrrp\.cf fails configtest: E-NO-INSTANCES/m);
  assert.match(io.err, /it is a template: render it first\n$/);
  // an unclosed `{#` is keepalived's "{" followed by a comment, not a template tag
  const plain = importKeepalived('vrrp_instance V {#note\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n', 'p.conf');
  assert.deepEqual([plain.unconverted, parse(plain.vrrpCf).config?.instances[0]?.vrid], [[], 1]);
});

test('messages: an output line configtest rejects is reported at the keepalived.conf line it came from', async () => {
  const io = memoryIo({ 'p.conf': 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 300\n  virtual_ipaddress {\n    10.0.0.1\n  }\n}\n' });
  await runImportKeepalived(['p.conf'], io);
  assert.match(io.err, /^p\.conf:3: warning\[I-UNCONVERTED\]: E-VRID-RANGE: .*: virtual_router_id 300$/m);
  assert.ok(!io.err.includes('vrrp.cf:'), io.err);
});
