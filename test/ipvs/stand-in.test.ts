// The stand-in ipvsadm itself: layouts equal to the real tool's captures, ipvsadm's
// error messages and exit statuses, -R semantics, the call log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from './fixtures.js';
import { standIn } from './standin-env.js';

const trimEnds = (s: string) => s.split('\n').map((l) => l.replace(/\s+$/, '')).join('\n');
/** The capture with its connection counters zeroed (the stand-in has no traffic). */
const noTraffic = (s: string) => s.split('\n').map((l) => (l.startsWith('  -> ') ? l.replace(/\d+(\s+)\d+$/, '0$10') : l)).join('\n');

test('prints the real ipvsadm layouts (-L -n, -S -n) for the same table', (t) => {
  const w = standIn();
  t.after(() => w.cleanup());
  assert.equal(w.run(['-L', '-n']).stdout, fixture('list-empty.txt'));
  assert.equal(w.run(['-R'], fixture('save-n.txt')).status, 0);
  assert.equal(trimEnds(w.run(['-L', '-n']).stdout), noTraffic(fixture('list-masq-wrr.txt')));
  assert.equal(w.run(['-S', '-n']).stdout, fixture('save-n.txt'));
  assert.equal(w.run(['-C']).status, 0);
  for (const svc of ['192.168.0.111:80', '192.168.0.222:80']) {
    assert.equal(w.run(['-A', '-t', svc, '-s', 'rr']).status, 0);
    for (const r of ['192.168.0.20', '192.168.0.10']) assert.equal(w.run(['-a', '-t', svc, '-r', r]).status, 0);
  }
  assert.equal(trimEnds(w.run(['-Ln']).stdout), fixture('list-route-two-services.txt'));
  // --stats: same header and columns as the real capture (counters are 0 here).
  const stats = w.run(['-L', '-n', '--stats']).stdout.split('\n');
  assert.deepEqual(stats.slice(0, 3), fixture('list-stats.txt').split('\n').slice(0, 3));
  // printf("%-33s") then print_largenum's "%9llu" per counter, as the capture's lines.
  assert.equal(stats[3], 'TCP  192.168.0.111:80'.padEnd(33) + '0'.padStart(9).repeat(5));
  assert.equal(fixture('list-stats.txt').split('\n')[3], 'TCP  192.168.1.200:80'.padEnd(33) + ['282989', '1708574', '1419365', '115244K', '141336K'].map((x) => x.padStart(9)).join(''));
});

test("ipvsadm's messages and exit statuses: kernel errors 255, usage errors 2", (t) => {
  const w = standIn();
  t.after(() => w.cleanup());
  const cases: [string[], number, string][] = [
    [['-A', '-t', '10.0.0.1:80', '-s', 'wrr'], 0, ''],
    [['-A', '-t', '10.0.0.1:80', '-s', 'wrr'], 255, 'Service already exists'],
    [['-E', '-t', '10.0.0.9:80'], 255, 'No such service'],
    [['-D', '-t', '10.0.0.9:80'], 255, 'No such service'],
    [['-a', '-t', '10.0.0.9:80', '-r', '10.0.0.2'], 255, 'Service not defined'],
    [['-a', '-t', '10.0.0.1:80', '-r', '10.0.0.2', '-w', '2'], 0, ''],
    [['-a', '-t', '10.0.0.1:80', '-r', '10.0.0.2:80'], 255, 'Destination already exists'],
    [['-e', '-t', '10.0.0.1:80', '-r', '10.0.0.3'], 255, 'No such destination'],
    [['-d', '-t', '10.0.0.1:80', '-r', '10.0.0.3'], 255, 'No such destination'],
    [['-e', '-t', '10.0.0.1:80', '-r', '10.0.0.2', '-y', '5'], 255, 'Numerical result out of range'],
    [['-A', '-t', '10.0.0.5:80', '-s', 'nosuch'], 255, 'Scheduler or persistence engine not found'],
    [['-A', '-t', '10.0.0.5:0'], 2, 'Zero port specified for non-persistent service'],
    [['-A', '-t', '10.0.0.5:80', '-o'], 2, 'One-Packet Scheduling is only for UDP virtual services'],
    [['-A', '-t', '10.0.0.5:80', '-w', '3'], 2, "Illegal 'weight' option with the 'add-service' command"],
    [['-a', '-t', '10.0.0.1:80'], 2, "You need to supply the 'real-server' option for the 'add-server' command"],
    [['-a', '-t', '10.0.0.1:80', '-r', '10.0.0.7', '-w', '70000'], 2, 'illegal weight specified'],
    [['-A', '-t', 'bogus:80'], 2, 'illegal virtual server address[:port] specified'],
    [['-A', '-f', '5', '-s', 'sh', '-b', 'mh-port'], 2, "incompatible scheduler flag `mh-port'"],
    [['-A', '-t', '10.0.0.5:80', '-A'], 2, 'multiple commands specified'],
    [['-6', '-A'], 255, "Try `"],
  ];
  for (const [args, status, message] of cases) {
    const r = w.run(args);
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    if (message) assert.ok(r.stderr.startsWith(message), `${args.join(' ')}: stderr ${JSON.stringify(r.stderr)}`);
    else assert.equal(r.stderr, '');
  }
  // gate destinations land on the service port, whatever port was asked.
  assert.match(w.run(['-S', '-n']).stdout, /-a -t 10\.0\.0\.1:80 -r 10\.0\.0\.2:80 -g -w 2\n/);
});

test('-R goes on after a kernel error and exits with the last line\'s status; a usage error stops it', (t) => {
  const w = standIn();
  t.after(() => w.cleanup());
  const r1 = w.run(['-R'], '-A -t 10.0.0.1:80 -s wrr\n-a -t 10.0.0.9:80 -r 10.0.0.2\n\n-a -t 10.0.0.1:80 -r 10.0.0.3 -w 4\n');
  assert.equal(r1.status, 0);
  assert.equal(r1.stderr, 'Service not defined\n');
  assert.match(w.run(['-S', '-n']).stdout, /-r 10\.0\.0\.3:80 -g -w 4/);
  const r2 = w.run(['-R'], '-a -t 10.0.0.1:80 -r 10.0.0.4\n-a -t 10.0.0.1:80 -r 10.0.0.5 -w x\n-a -t 10.0.0.1:80 -r 10.0.0.6\n');
  assert.equal(r2.status, 2);
  assert.equal(r2.stderr, 'illegal weight specified\n');
  const saved = w.run(['-S', '-n']).stdout;
  assert.match(saved, /10\.0\.0\.4:80/, 'lines before the bad one took effect');
  assert.doesNotMatch(saved, /10\.0\.0\.6/, 'lines after it did not run');
  const r3 = w.run(['-R'], '-a -t 10.0.0.1:80 -r 10.0.0.7\n-a -t 10.0.0.9:80 -r 10.0.0.2\n');
  assert.equal(r3.status, 255, 'last line failed in the kernel');
});

test('combined short options, long options, daemons, flush; every call logged with its stdin', (t) => {
  const w = standIn();
  t.after(() => w.cleanup());
  assert.equal(w.run(['--add-service', '--udp-service=[2001:db8::1]:53', '--scheduler', 'rr', '--ops', '-p']).status, 0);
  assert.equal(w.run(['--add-server', '-u', '[2001:db8::1]:53', '--real-server', '[2001:db8::2]:53', '--masquerading', '--weight=3', '--u-threshold', '9']).status, 0);
  assert.equal(trimEnds(w.run(['-Ln', '--thresholds']).stdout), [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn',
    '  -> RemoteAddress:Port',
    'UDP  [2001:db8::1]:53 rr persistent 300 ops',
    '  -> [2001:db8::2]:53             9          0          0          0',
    '',
  ].join('\n'));
  assert.equal(w.run(['--start-daemon', 'master', '--mcast-interface', 'eth1']).status, 0);
  assert.equal(w.run(['--start-daemon', 'master']).stderr, 'Daemon has already run\n');
  assert.equal(w.run(['-L', '--daemon']).stdout, 'master sync daemon (mcast=eth0, syncid=0)\n');
  assert.equal(w.run(['--stop-daemon', 'master']).status, 0);
  assert.equal(w.run(['-C']).status, 0);
  assert.equal(w.run(['-S', '-n']).stdout, '');
  w.run(['-R'], '-A -t 10.0.0.1:80 -s wrr\n');
  const calls = w.calls();
  assert.equal(calls.length, 10);
  assert.deepEqual(calls.at(-1), { argv: ['-R'], cwd: calls.at(-1)!['cwd' as keyof (typeof calls)[number]], stdin: '-A -t 10.0.0.1:80 -s wrr\n' });
});

test('failure mode: while $IPVSADM_FAIL exists every table change is refused with exit 255, the table untouched; reads work', (t) => {
  const w = standIn();
  t.after(() => w.cleanup());
  const fail = join(w.dir, 'fail');
  w.env['IPVSADM_FAIL'] = fail;
  assert.equal(w.run(['-A', '-t', '10.0.0.1:80', '-s', 'wrr']).status, 0, 'no file: changes go through');
  assert.equal(w.run(['-a', '-t', '10.0.0.1:80', '-r', '10.0.0.2', '-w', '1']).status, 0);
  const before = w.run(['-L', '-n']).stdout;
  writeFileSync(fail, '');
  for (const args of [['-d', '-t', '10.0.0.1:80', '-r', '10.0.0.2'], ['-e', '-t', '10.0.0.1:80', '-r', '10.0.0.2', '-w', '0'], ['-D', '-t', '10.0.0.1:80'], ['-C'], ['-A', '-t', '10.0.0.9:80']]) {
    const r = w.run(args);
    assert.equal(r.status, 255, args.join(' '));
    assert.equal(r.stderr, 'Memory allocation problem\n', args.join(' '));
  }
  // -R goes on after each refusal and exits with the last line's status, as ipvsadm does
  const restore = w.run(['-R'], '-d -t 10.0.0.1:80 -r 10.0.0.2\n-D -t 10.0.0.1:80\n');
  assert.equal(restore.status, 255);
  assert.equal(restore.stderr, 'Memory allocation problem\nMemory allocation problem\n');
  writeFileSync(fail, 'Operation not permitted\n');
  assert.equal(w.run(['-C']).stderr, 'Operation not permitted\n', "the file's first line is the message");
  const list = w.run(['-L', '-n']);
  assert.equal(list.status, 0);
  assert.equal(list.stdout, before, 'table untouched');
  rmSync(fail);
  assert.equal(w.run(['-C']).status, 0, 'file gone: changes go through again');
});
