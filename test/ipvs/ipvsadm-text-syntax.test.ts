// ipvsadm's text forms beyond the captured fixtures: the order `ipvsadm -L/-S` prints
// (libipvs ipvs_cmp_services / ipvs_cmp_dests: fwmark, family, protocol number, address
// as a number, port), the defaults of the -R/-S command syntax (ipvsadm.c: scheduler
// wlc, -p alone = 300 s, a real without a port takes the service's, -g and weight 1),
// and the refusals that keep haldir from guessing at output it does not understand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeThresholds, parseCommandArgs, parseList, parseSave, parseThresholds, renderSave } from '../../src/ipvs/ipvsadm-text.js';
import { IpvsError } from '../../src/ipvs/types.js';
import type { IpvsDestination, IpvsService, IpvsTable, ServiceKey } from '../../src/ipvs/types.js';

const tcp = (address: string, port: number): ServiceKey => ({ protocol: 'tcp', family: address.includes(':') ? 'inet6' : 'inet', address, port, fwmark: undefined });
const fwm = (mark: number, family: 'inet' | 'inet6' = 'inet'): ServiceKey => ({ protocol: 'fwm', family, address: undefined, port: 0, fwmark: mark });
const dest = (address: string, port: number): IpvsDestination => ({ address, port, forward: 'gate', weight: 1, upperThreshold: 0, lowerThreshold: 0 });
const svc = (key: ServiceKey, destinations: IpvsDestination[] = []): IpvsService => ({ key, scheduler: 'rr', persistent: undefined, netmask: undefined, ops: false, schedFlags: 0, destinations });
const parseError = (re: RegExp) => (e: unknown) => e instanceof IpvsError && e.code === 'IPVSADM_PARSE' && re.test(e.message);

test('services and reals are printed in libipvs order: numeric, not textual', () => {
  const table: IpvsTable = { services: [
    svc(fwm(10)),
    svc(fwm(2, 'inet6')),
    svc(tcp('2001:db8::10', 80)),
    svc({ ...tcp('10.0.0.10', 53), protocol: 'udp' }),
    svc(tcp('10.0.0.10', 80), [dest('10.0.0.10', 80), dest('10.0.0.9', 8080), dest('10.0.0.9', 80)]),
    svc(fwm(2)),
    svc(tcp('10.0.0.10', 8)),
    svc(tcp('2001:db8::9', 80), [dest('2001:db8::1:0', 80), dest('2001:db8::ffff', 80), dest('::2', 80)]),
    svc(tcp('10.0.0.9', 80)),
  ] };
  assert.deepEqual(renderSave(table).trimEnd().split('\n'), [
    '-A -t 10.0.0.9:80 -s rr',
    '-A -t 10.0.0.10:8 -s rr',
    '-A -t 10.0.0.10:80 -s rr',
    '-a -t 10.0.0.10:80 -r 10.0.0.9:80 -g -w 1',
    '-a -t 10.0.0.10:80 -r 10.0.0.9:8080 -g -w 1',
    '-a -t 10.0.0.10:80 -r 10.0.0.10:80 -g -w 1',
    '-A -u 10.0.0.10:53 -s rr',
    '-A -t [2001:db8::9]:80 -s rr',
    '-a -t [2001:db8::9]:80 -r [::2]:80 -g -w 1',
    '-a -t [2001:db8::9]:80 -r [2001:db8::ffff]:80 -g -w 1',
    '-a -t [2001:db8::9]:80 -r [2001:db8::1:0]:80 -g -w 1',
    '-A -t [2001:db8::10]:80 -s rr',
    '-A -f 2 -s rr',
    '-A -f 2 -6 -s rr',
    '-A -f 10 -s rr',
  ]);
});

test('command syntax defaults: wlc, -p alone is 300 s, a real takes the service port, -g, weight 1', () => {
  assert.deepEqual(parseCommandArgs(['-A', '-t', '10.0.0.1:80']), {
    kind: 'add-service',
    service: { key: tcp('10.0.0.1', 80), scheduler: 'wlc', persistent: undefined, netmask: undefined, ops: false, schedFlags: 0 },
  });
  const p = (args: string[]) => { const op = parseCommandArgs(args); assert.equal(op.kind, 'edit-service'); return op.service; };
  assert.equal(p(['-E', '-t', '10.0.0.1:80', '-p']).persistent, 300);
  const ps = p(['-E', '-t', '10.0.0.1:80', '-p', '-s', 'rr']);
  assert.deepEqual([ps.persistent, ps.scheduler], [300, 'rr']);
  const pm = p(['-E', '-u', '10.0.0.1:53', '-p', '60', '-M', '255.255.0.0', '-o', '-s', 'sh', '-b', 'sh-port']);
  assert.deepEqual([pm.key.protocol, pm.persistent, pm.netmask, pm.ops, pm.scheduler, pm.schedFlags], ['udp', 60, '255.255.0.0', true, 'sh', 2]);
  assert.deepEqual(parseCommandArgs(['-a', '-t', '10.0.0.1:80', '-r', '10.0.0.2']), {
    kind: 'add-dest', key: tcp('10.0.0.1', 80), dest: dest('10.0.0.2', 80),
  });
  assert.deepEqual(parseCommandArgs(['-e', '-t', '[2001:db8::1]:443', '-r', '[2001:DB8::2]', '-m', '-w', '0', '-x', '9', '-y', '4']), {
    kind: 'edit-dest', key: tcp('2001:db8::1', 443), dest: { address: '2001:db8::2', port: 443, forward: 'masq', weight: 0, upperThreshold: 9, lowerThreshold: 4 },
  });
  assert.deepEqual(parseCommandArgs(['-d', '-f', '5', '-6', '-r', '[2001:db8::3]']), {
    kind: 'delete-dest', key: fwm(5, 'inet6'), dest: { address: '2001:db8::3', port: 0 },
  });
  const tunnel = parseCommandArgs(['-a', '-f', '5', '-r', '10.0.0.3:8080', '-i']);
  assert.deepEqual(tunnel, { kind: 'add-dest', key: fwm(5), dest: { ...dest('10.0.0.3', 8080), forward: 'ipip' } });
  assert.deepEqual(parseCommandArgs(['-D', '-u', '10.0.0.1:53']), { kind: 'delete-service', key: { ...tcp('10.0.0.1', 53), protocol: 'udp' } });
});

test('command syntax refusals name the option and the line', () => {
  assert.throws(() => parseCommandArgs(['-A', '-t', '10.0.0.1:80', '-s']), parseError(/^option -s needs a value in "-A -t 10\.0\.0\.1:80 -s"$/));
  assert.throws(() => parseCommandArgs(['-A', '-t', '10.0.0.1:80', '--tcp-service']), parseError(/^unsupported ipvsadm option "--tcp-service" in "-A -t 10\.0\.0\.1:80 --tcp-service"$/));
  assert.throws(() => parseCommandArgs(['-t', '10.0.0.1:80']), parseError(/^no command or service in "-t 10\.0\.0\.1:80"$/));
  assert.throws(() => parseCommandArgs(['-A', '-s', 'rr']), parseError(/^no command or service/));
  assert.throws(() => parseCommandArgs(['-a', '-t', '10.0.0.1:80', '-w', '2']), parseError(/^-a needs -r in "-a -t 10\.0\.0\.1:80 -w 2"$/));
  assert.throws(() => parseCommandArgs(['-a', '-t', '10.0.0.1:80', '-r', '[::1']), parseError(/^cannot read real server "\[::1" in /));
  assert.throws(() => parseCommandArgs(['-A', '-t', 'www.example.org:http']), parseError(/cannot read address:port "www\.example\.org:http" .*run ipvsadm with -n/));
});

test('-S output: blank lines are skipped; a real before its service or another command is refused', () => {
  const t = parseSave('\n-A -t 10.0.0.1:80 -s rr\n\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 2\n');
  assert.deepEqual(t, { services: [{ ...svc(tcp('10.0.0.1', 80), [{ ...dest('10.0.0.2', 80), weight: 2 }]) }] });
  assert.throws(() => parseSave('-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n'), parseError(/^destination before its service in -S output: "-a -t 10\.0\.0\.1:80 -r 10\.0\.0\.2:80 -g -w 1"$/));
  assert.throws(() => parseSave('-A -t 10.0.0.1:80 -s rr\n-D -t 10.0.0.1:80\n'), parseError(/^unexpected command in -S output: "-D -t 10\.0\.0\.1:80"$/));
});

const HEAD = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';

test('-L -n: local reals, tunnel info columns and the pe field are read; anything else is refused', () => {
  const t = parseList(HEAD +
    'TCP  10.0.0.1:80 wlc persistent 30 pe sip\n' +
    '  -> 127.0.0.1:80                 Local   4      2          1\n' +
    '  -> 10.0.0.3:80                  Tunnel  gue    7      0          0\n');
  const s = t.services[0]!;
  assert.deepEqual([s.scheduler, s.persistent, s.ops], ['wlc', 30, false]);
  assert.deepEqual(s.destinations.map((d) => [d.address, d.forward, d.weight]), [['127.0.0.1', 'gate', 4], ['10.0.0.3', 'ipip', 7]]);
  assert.throws(() => parseList(HEAD + 'TCP  10.0.0.1:80 wlc\n  -> 10.0.0.2:80  Route   many   0   0\n'), parseError(/^cannot read destination in "  -> 10\.0\.0\.2:80  Route   many   0   0"$/));
  assert.throws(() => parseList(HEAD + 'TCP  10.0.0.1:80 wlc\n  -> 10.0.0.2:80  Bridge  1   0   0\n'), parseError(/^cannot read destination/));
  assert.throws(() => parseList(HEAD + 'TCP  10.0.0.1:80 wlc\n  -> 10.0.0.2:80\n'), parseError(/^cannot read destination/));
  assert.throws(() => parseList(HEAD + 'TCP  10.0.0.1:80 wlc quiescent\n'), parseError(/^cannot read service flags in "TCP  10\.0\.0\.1:80 wlc quiescent"$/));
  assert.throws(() => parseList(HEAD + 'Something else\n'), parseError(/^unexpected line in ipvsadm output: "Something else"$/));
});

test('--thresholds: short or non-numeric rows are refused; merging keeps reals and services it does not name', () => {
  const TH = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn\n  -> RemoteAddress:Port\n';
  assert.throws(() => parseThresholds(TH + 'TCP  10.0.0.1:80 wlc\n  -> 10.0.0.2:80   5   1   0\n'), parseError(/^cannot read thresholds in "  -> 10\.0\.0\.2:80   5   1   0"$/));
  assert.throws(() => parseThresholds(TH + 'TCP  10.0.0.1:80 wlc\n  -> 10.0.0.2:80   5   x   0   0\n'), parseError(/^cannot read thresholds/));
  const th = parseThresholds(TH + 'TCP  10.0.0.1:80 wlc\n  -> 10.0.0.2:80   5   1   0   0\n');
  const table: IpvsTable = { services: [svc(tcp('10.0.0.1', 80), [dest('10.0.0.2', 80), dest('10.0.0.3', 80)]), svc(tcp('10.0.0.1', 81), [dest('10.0.0.2', 81)])] };
  const merged = mergeThresholds(table, th);
  assert.deepEqual(merged.services.map((s) => s.destinations.map((d) => `${d.address}:${d.port} ${d.upperThreshold}/${d.lowerThreshold}`)), [
    ['10.0.0.2:80 5/1', '10.0.0.3:80 0/0'],
    ['10.0.0.2:81 0/0'],
  ]);
});
