// Field-by-field comparison of keepalived's -d dump with haldir's model.
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import type { NotifyCommands, VirtualIp, VrrpConfig, VrrpInstance, VrrpSyncGroup } from '../../src/vrrp-config/model.js';
import type { Dump, DumpGroup, DumpInstance } from './keepalived-dump.js';

function advertSeconds(v: string): number {
  const m = /^(\d+) (sec|milli-sec)$/.exec(v);
  assert.ok(m, `advert interval "${v}"`);
  return m[2] === 'sec' ? Number(m[1]) : Number(m[1]) / 1000;
}

function vipWords(v: VirtualIp, inst: VrrpInstance): string {
  const max = v.family === 'inet' ? 32 : 128;
  return `${v.address}${v.prefix === max ? '' : `/${v.prefix}`} dev ${v.dev ?? inst.interface} scope ${v.scope ?? 'global'}${v.label ? ` label ${v.label}` : ''}`;
}

/** keepalived prints extra words after the VIP (IPv6 lifetimes); compare the part haldir models. */
const dumpVip = (s: string) => s.replace(/ (deprecated|preferred_lft \S+)$/, '');

function quotedArgv(s: string): string[] {
  return [...s.matchAll(/'([^']*)'/g)].map((m) => m[1] ?? '');
}

export function compareInstance(k: DumpInstance, i: VrrpInstance, c: VrrpConfig, where: string): void {
  const f = (name: string) => k.fields.get(name);
  assert.equal(Number(f('VRRP Version')), i.version, `${where} version`);
  assert.equal(f('Wantstate'), i.initialState, `${where} initial state`);
  assert.equal(f('Interface'), i.interface, `${where} interface`);
  assert.equal(Number(f('Virtual Router ID')), i.vrid, `${where} vrid`);
  assert.equal(Number(f('Priority')), i.priority, `${where} priority`);
  assert.equal(advertSeconds(f('Advert interval') ?? ''), i.advertInt, `${where} advert_int`);
  assert.equal(f('Preempt') === 'disabled', i.nopreempt, `${where} nopreempt`);
  assert.equal(Number(/^(\d+)/.exec(f('Preempt delay') ?? '0')?.[1]), i.preemptDelay, `${where} preempt_delay`);
  assert.equal(f('Password'), i.auth?.pass, `${where} auth_pass`);
  assert.deepEqual((k.lists.get('Virtual IP') ?? []).map(dumpVip), i.vips.map((v) => vipWords(v, i)), `${where} VIPs`);
  assert.deepEqual((k.lists.get('Virtual IP Excluded') ?? []).map(dumpVip), i.excludedVips.map((v) => vipWords(v, i)), `${where} excluded VIPs`);
  assert.equal(/^(\S+) \(from configuration\)$/.exec(f('Using src_ip') ?? '')?.[1], i.unicastSrcIp, `${where} unicast_src_ip`);
  assert.deepEqual((k.lists.get('Unicast Peer') ?? []).map((p) => p.split(' ')[0]), i.unicastPeers, `${where} unicast peers`);
  assert.equal(Number(f('Gratuitous ARP delay')), i.garpMasterDelay, `${where} garp_master_delay`);
  assert.equal(Number(f('Gratuitous ARP repeat')), i.garpMasterRepeat, `${where} garp_master_repeat`);
  assert.equal(Number(f('Gratuitous ARP refresh')), i.garpMasterRefresh, `${where} garp_master_refresh`);
  assert.deepEqual(k.lists.get('Tracked interfaces') ?? [], i.trackInterfaces.map((t) => `${t.name} weight ${t.weight}`), `${where} track_interface`);
  assert.deepEqual(k.lists.get('Tracked scripts') ?? [], i.trackScripts.map((t) => `${t.name} weight ${t.weight}`), `${where} track_script`);
  assert.equal(f('Using smtp notification') === 'yes', i.smtpAlert, `${where} smtp_alert`);
  assert.equal(f('Sync group'), i.syncGroup, `${where} sync group`);
  compareNotify(f, i.notify, where);
  if (i.unicastPeers.length === 0) {
    assert.equal(f('Multicast address')?.split(',')[0], i.family === 'inet' ? c.global.mcastGroup4 : c.global.mcastGroup6, `${where} multicast group`);
  }
}

/** The "<State> state transition script = 'argv0' 'arg'..." fields of an instance or a sync group. */
function compareNotify(f: (name: string) => string | undefined, n: NotifyCommands, where: string): void {
  const notify: [string, NotifyCommands['master']][] = [
    ['Master state transition script', n.master], ['Backup state transition script', n.backup],
    ['Fault state transition script', n.fault], ['Stop state transition script', n.stop],
    ['Generic state transition script', n.generic],
  ];
  for (const [field, cmd] of notify) {
    const argv = quotedArgv(f(field) ?? '');
    // keepalived prints the program as found in PATH (/bin/true -> /usr/bin/true)
    assert.deepEqual(argv.length ? [basename(argv[0] ?? ''), ...argv.slice(1)] : undefined,
      cmd ? [basename(cmd.argv[0] ?? ''), ...cmd.argv.slice(1)] : undefined, `${where} ${field}`);
  }
}

export function compareGroup(k: DumpGroup, g: VrrpSyncGroup, where: string): void {
  assert.deepEqual(k.members, g.instances, `${where} members`);
  compareNotify((name) => k.fields.get(name), g.notify, where);
}

export function compareGlobal(dump: Dump, c: VrrpConfig, where: string): void {
  const g = (name: string) => dump.global.get(name);
  if (g('Router ID') !== undefined) assert.equal(g('Router ID'), c.global.routerId, `${where} router_id`);
  if (c.global.smtp) {
    assert.equal(g('Smtp server'), c.global.smtp.host, `${where} smtp host`);
    assert.equal(Number(g('Smtp server port')), c.global.smtp.port, `${where} smtp port`);
  }
  if (g('Smtp server connection timeout') !== undefined) {
    assert.equal(Number(g('Smtp server connection timeout')), c.global.smtpConnectTimeout, `${where} smtp_connect_timeout`);
  }
  assert.equal(g('Email notification from'), c.global.emailalertfrom, `${where} emailalertfrom`);
  assert.deepEqual(dump.emails, c.global.emailalert, `${where} emailalert`);
  assert.equal(g('VRRP IPv4 mcast group'), c.global.mcastGroup4, `${where} mcast group 4`);
  assert.equal(Number(g('VRRP default protocol version')), c.global.version, `${where} vrrp_version`);
}
