// Table-driven: every directive, every default, every real= form of ldirectord 4.12.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ok, one, vs, parse, warnings } from './helpers.js';

test('defaults of a minimal config are ldirectord 4.12 set_defaults / %vsrv defaults', () => {
  const c = ok('virtual=192.0.2.1:80\n\treal=192.0.2.2:80 gate\n');
  assert.deepEqual(c.global, {
    autoreload: false, callback: undefined, checkcount: 1, checkinterval: 10, checktimeout: undefined,
    negotiatetimeout: undefined, cleanstop: true, emailalert: [], emailalertfreq: 0,
    emailalertstatus: ['starting', 'running', 'stopping', 'reloading'], emailalertfrom: undefined, execute: [],
    failurecount: 1, fallback: undefined, fallback6: undefined, fallbackcommand: undefined, fork: false,
    logfile: '/var/log/ldirectord.log', maintenancedir: undefined, quiescent: false, readdquiescent: false,
    smtp: undefined, supervised: false, smtpuser: undefined, smtppasswd: undefined, smtptls: 'none',
  });
  const v = c.virtuals[0]!;
  assert.equal(v.id, 'tcp:192.0.2.1:80');
  assert.equal(v.protocol, 'tcp');
  assert.equal(v.scheduler, 'wrr');
  assert.deepEqual(v.check, { kind: 'negotiate' });
  assert.equal(v.service, 'http');
  assert.equal(v.request, '/');
  assert.equal(v.receive, '');
  assert.equal(v.httpmethod, 'GET');
  assert.equal(v.checktimeout, 5);
  assert.equal(v.negotiatetimeout, 30);
  assert.equal(v.checkinterval, 10);
  assert.equal(v.failurecount, 1);
  assert.equal(v.checkcount, 1);
  assert.equal(v.quiescent, false);
  assert.equal(v.cleanstop, true);
  assert.equal(v.ops, false);
  assert.equal(v.fallback, undefined);
  assert.equal(v.login, '');
  assert.equal(v.persistent, undefined);
  assert.deepEqual(v.reals, [{
    address: '192.0.2.2', port: 80, forward: 'gate', weight: 1, request: '/', receive: '', ownRequest: false,
    lowerThreshold: 0, upperThreshold: 0, checkPort: 80, source: { file: 'test.cf', line: 2 },
  }]);
});

test('every global directive sets its field', () => {
  const cases: [string, string, unknown][] = [
    ['autoreload=yes', 'autoreload', true],
    ['callback="/bin/cb"', 'callback', '/bin/cb'],
    ['checkcount=4', 'checkcount', 4],
    ['checkinterval=3', 'checkinterval', 3],
    ['checktimeout=7', 'checktimeout', 7],
    ['negotiatetimeout=9', 'negotiatetimeout', 9],
    ['cleanstop=no', 'cleanstop', false],
    ['emailalert="a@x.y, b@x.y"', 'emailalert', ['a@x.y', 'b@x.y']],
    ['emailalertfreq=60', 'emailalertfreq', 60],
    ['emailalertstatus=starting,stopping', 'emailalertstatus', ['starting', 'stopping']],
    ['emailalertstatus=none', 'emailalertstatus', []],
    ['emailalertfrom=ld@x.y', 'emailalertfrom', 'ld@x.y'],
    ['execute=b.cf', 'execute', ['b.cf']],
    ['failurecount=3', 'failurecount', 3],
    ['fallbackcommand="/bin/fb start"', 'fallbackcommand', '/bin/fb start'],
    ['fork=yes', 'fork', true],
    ['logfile="local0"', 'logfile', 'local0'],
    ['logfile="/tmp/ld.log"', 'logfile', '/tmp/ld.log'],
    ['maintenancedir=/var/lib/haldir/maintenance', 'maintenancedir', '/var/lib/haldir/maintenance'],
    ['quiescent=yes', 'quiescent', true],
    ['readdquiescent=yes', 'readdquiescent', true],
    ['smtp=mail.x.y', 'smtp', { host: 'mail.x.y', port: 25 }],
    ['smtp=mail.x.y:2525', 'smtp', { host: 'mail.x.y', port: 2525 }],
    ['supervised=yes', 'supervised', true],
    ['supervised', 'supervised', true],
    ['smtpuser=alerts', 'smtpuser', 'alerts'],
    ['smtppasswd="p#ss word"', 'smtppasswd', 'p#ss word'],
    ['smtptls=tls', 'smtptls', 'tls'],
  ];
  for (const [line, field, want] of cases) {
    const c = ok(`${line}\nvirtual=192.0.2.1:80\n\treal=192.0.2.2:80 gate\n`);
    assert.deepEqual((c.global as unknown as Record<string, unknown>)[field], want, line);
  }
});

test('global fallback and fallback6 keep their port; without one the virtual port is used', () => {
  const c = ok('fallback=127.0.0.1:8080 masq\nfallback6=[::1]\nvirtual=192.0.2.1:80\n\treal=192.0.2.2:80 gate\nvirtual6=[2001:db8::1]:443\n\treal6=[2001:db8::2]:443 gate\n');
  assert.deepEqual({ ...c.global.fallback, source: undefined }, { address: '127.0.0.1', port: 8080, forward: 'masq', source: undefined });
  assert.equal(c.global.fallback6?.port, undefined);
  assert.deepEqual(c.virtuals[0]!.fallback?.port, 8080);
  assert.deepEqual([c.virtuals[1]!.fallback?.address, c.virtuals[1]!.fallback?.port], ['::1', 443]);
});

test('every per-virtual directive sets its field', () => {
  const cases: [string, string, unknown][] = [
    ['request="index.html"', 'request', '/index.html'],
    ['request="/x?y=1"', 'request', '/x?y=1'],
    ['receive="Test Page"', 'receive', 'Test Page'],
    ['checktype=connect', 'check', { kind: 'connect' }],
    ['checktype=ping', 'check', { kind: 'ping' }],
    ['checktype=on', 'check', { kind: 'on' }],
    ['checktype=off', 'check', { kind: 'off' }],
    ['checktype=5', 'check', { kind: 'combined', numConnects: 5 }],
    ['checktimeout=3', 'checktimeout', 3],
    ['negotiatetimeout=8', 'negotiatetimeout', 8],
    ['failurecount=4', 'failurecount', 4],
    ['checkport=8080', 'checkport', 8080],
    ['login="u"', 'login', 'u'],
    ['passwd="p"', 'passwd', 'p'],
    ['database="d"', 'database', 'd'],
    ['secret="s"', 'secret', 's'],
    ['scheduler=sh', 'scheduler', 'sh'],
    ['persistent=300', 'persistent', 300],
    ['schedflags=sh-fallback', 'schedflags', 'sh-fallback'],
    ['netmask=255.255.0.0', 'netmask', '255.255.0.0'],
    ['protocol=udp', 'protocol', 'udp'],
    ['service=https', 'service', 'https'],
    ['service=http_proxy', 'service', 'http_proxy'],
    ['httpmethod=HEAD', 'httpmethod', 'HEAD'],
    ['httpmethod=head', 'httpmethod', 'HEAD'],
    ['virtualhost="www.x.y"', 'virtualhost', 'www.x.y'],
    ['virtualhost=www.x.y', 'virtualhost', 'www.x.y'],
    ['fallbackcommand="/bin/fb"', 'fallbackcommand', '/bin/fb'],
    ['quiescent=yes', 'quiescent', true],
    ['emailalert="ops@x.y"', 'emailalert', ['ops@x.y']],
    ['emailalertfreq=30', 'emailalertfreq', 30],
    ['emailalertstatus=running', 'emailalertstatus', ['running']],
    ['monitorfile="/tmp/mon.log"', 'monitorfile', '/tmp/mon.log'],
    ['cleanstop=no', 'cleanstop', false],
    ['smtp=127.0.0.1:26', 'smtp', { host: '127.0.0.1', port: 26 }],
    ['servicename=web', 'servicename', 'web'],
    ['comment=front end pool', 'comment', 'front end pool'],
  ];
  for (const [line, field, want] of cases) {
    const v = one(vs(line));
    assert.deepEqual((v as unknown as Record<string, unknown>)[field], want, line);
  }
  assert.deepEqual(one(vs('checktype=external', 'checkcommand="/bin/chk arg"')).check, { kind: 'external', command: '/bin/chk arg' });
  assert.deepEqual(one(vs('checktype=external-perl')).check, { kind: 'external-perl', command: '/bin/true' });
  assert.equal(one(vs('protocol=udp', 'ops=yes')).ops, true);
  assert.equal(one(vs('ops=yes')).ops, false, 'ops only applies to udp virtuals (ld_setup)');
  assert.deepEqual(one(vs('fallback=127.0.0.9:81 masq')).fallback?.port, 81);
});

test('per-virtual settings override the globals; unset ones inherit', () => {
  const c = ok('quiescent=yes\nemailalert="g@x.y"\nemailalertfreq=100\ncleanstop=no\nsmtp=g.x.y\nfailurecount=3\ncheckcount=2\nfallbackcommand=/bin/g\n' +
    'virtual=192.0.2.1:80\n\treal=192.0.2.2:80 gate\n\tquiescent=no\n\temailalert=v@x.y\n\tfailurecount=5\n\tfallbackcommand=/bin/v\n' +
    'virtual=192.0.2.1:81\n\treal=192.0.2.2:81 gate\n');
  const [a, b] = c.virtuals as [typeof c.virtuals[0], typeof c.virtuals[0]];
  assert.deepEqual([a!.quiescent, a!.emailalert, a!.failurecount, a!.fallbackcommand], [false, ['v@x.y'], 5, '/bin/v']);
  assert.deepEqual([b!.quiescent, b!.emailalert, b!.failurecount, b!.fallbackcommand, b!.emailalertfreq, b!.cleanstop, b!.smtp, b!.checkcount],
    [true, ['g@x.y'], 3, '/bin/g', 100, false, { host: 'g.x.y', port: 25 }, 2]);
});

test('checktimeout / negotiatetimeout resolution chain (ld_setup)', () => {
  const cases: [string, string[], number, number][] = [
    ['', [], 5, 30],
    ['checktimeout=4', [], 4, 4],
    ['negotiatetimeout=20', [], 20, 20],
    ['checktimeout=4\nnegotiatetimeout=20', [], 4, 20],
    ['checktimeout=4', ['negotiatetimeout=9'], 9, 9],
    ['negotiatetimeout=20', ['checktimeout=2'], 2, 2],
    ['checktimeout=4\nnegotiatetimeout=20', ['checktimeout=1'], 1, 1],
    ['', ['checktimeout=2', 'negotiatetimeout=7'], 2, 7],
  ];
  for (const [globals, lines, ct, nt] of cases) {
    const v = one(`${globals}\n${vs(...lines)}`);
    assert.deepEqual([v.checktimeout, v.negotiatetimeout], [ct, nt], `${globals} | ${lines.join(' ')}`);
  }
});

test('default service by virtual port, default protocol udp for 53/domain', () => {
  const ports: [number, string][] = [[21, 'ftp'], [25, 'smtp'], [53, 'dns'], [80, 'http'], [110, 'pop'], [119, 'nntp'], [143, 'imap'], [389, 'ldap'], [443, 'https'], [587, 'submission'], [636, 'ldaps'], [993, 'imaps'], [995, 'pops'], [1521, 'oracle'], [1812, 'radius'], [3128, 'http_proxy'], [3306, 'mysql'], [5060, 'sip'], [5432, 'pgsql'], [8080, 'none']];
  for (const [port, service] of ports) {
    const v = one(`virtual=192.0.2.1:${port}\n\treal=192.0.2.2:${port} gate\n`);
    assert.equal(v.service, service, String(port));
    assert.equal(v.protocol, port === 53 ? 'udp' : 'tcp');
  }
  const d = one('virtual=192.0.2.1:domain\n\treal=192.0.2.2 gate\n');
  assert.deepEqual([d.protocol, d.port, d.service, d.id], ['udp', 53, 'dns', 'udp:192.0.2.1:53']);
  assert.equal(one('virtual=192.0.2.1:080\n\treal=192.0.2.2 gate\n').service, 'none', 'ldirectord compares the port text: 080 is not http');
});

test('virtual forms: address, host name, service name, fwmark, IPv6, fwmark6', () => {
  const h = one('virtual=lb.example.com:http\n\treal=web1.example.com:www gate\n');
  assert.deepEqual([h.id, h.address, h.port, h.reals[0]!.address, h.reals[0]!.port], ['tcp:192.0.2.1:80', '192.0.2.1', 80, '192.0.2.11', 80]);
  const f = one('virtual=5\n\treal=192.0.2.2 gate\n\tservice=http\n');
  assert.deepEqual([f.id, f.protocol, f.fwmark, f.address, f.port, f.reals[0]!.port, f.reals[0]!.checkPort], ['fwm:5', 'fwm', 5, undefined, 0, 0, 80]);
  const v6 = one('virtual6=[2001:DB8:0::1]:443\n\treal6=[2001:db8::2]:8443 masq\n\treal6=web1.example.com:443 masq\n');
  assert.deepEqual([v6.id, v6.family, v6.address, v6.service, v6.reals.map((r) => r.address)], ['tcp:[2001:db8::1]:443', 'inet6', '2001:db8::1', 'https', ['2001:db8::2', '2001:db8::11']]);
  const f6 = one('virtual6=7\n\treal6=[::1]:80 gate\n');
  assert.deepEqual([f6.id, f6.family, f6.protocol], ['fwm6:7', 'inet6', 'fwm']);
});

test('every real= form', () => {
  const cases: [string, Record<string, unknown>[]][] = [
    ['192.0.2.2:80 gate', [{ address: '192.0.2.2', port: 80, forward: 'gate', weight: 1 }]],
    ['192.0.2.2 masq', [{ port: 0, forward: 'masq' }]],
    ['192.0.2.2:http ipip 5', [{ port: 80, forward: 'ipip', weight: 5 }]],
    ['192.0.2.2:80 gate 0', [{ weight: 0 }]],
    ['192.0.2.2:80 gate 2 "health", "ok"', [{ weight: 2, request: '/health', receive: 'ok', ownRequest: true }]],
    // ldirectord quirk: a request starting with "/" loses its receive and what follows
    ['192.0.2.2:80 gate 2 "/health", "ok" l:3', [{ weight: 2, request: '/', receive: '', ownRequest: false, lowerThreshold: 0 }]],
    ['192.0.2.2:80 gate "health", "ok"', [{ weight: 1, request: '/health', receive: 'ok' }]],
    ['192.0.2.2:80 gate 3 "h" "ok"', [{ request: '/h', receive: 'ok' }]],
    ['192.0.2.2:80 gate 1 l:10', [{ lowerThreshold: 10, upperThreshold: 0 }]],
    ['192.0.2.2:80 gate 1 u:20', [{ lowerThreshold: 0, upperThreshold: 20 }]],
    ['192.0.2.2:80 gate 1 "h", "ok" l:1 u:2', [{ request: '/h', lowerThreshold: 1, upperThreshold: 2 }]],
    ['192.0.2.2->192.0.2.4:8080 masq 7', [{ address: '192.0.2.2', port: 8080, weight: 7 }, { address: '192.0.2.3' }, { address: '192.0.2.4' }]],
    ['192.0.2.255->192.0.3.0 gate', [{ address: '192.0.2.255' }, { address: '192.0.3.0' }]],
    ['web2.example.com:443 gate', [{ address: '192.0.2.12', port: 443 }]],
    ['192.0.2.2:0 gate', [{ port: 0 }]],
  ];
  for (const [spec, want] of cases) {
    const v = one(`virtual=192.0.2.1:80\n\treal=${spec}\n`);
    assert.equal(v.reals.length, want.length, spec);
    want.forEach((w, i) => {
      for (const [k, x] of Object.entries(w)) assert.deepEqual((v.reals[i] as unknown as Record<string, unknown>)[k], x, `${spec} [${i}].${k}`);
    });
  }
});

test('a real without its own request/receive takes the virtual ones; checkPort follows ld_checkport', () => {
  const v = one(vs('request="/v"', 'receive="V"', 'checkport=9000').replace('\treal=192.0.2.2:80 gate', '\treal=192.0.2.2:80 gate\n\treal=192.0.2.3:80 gate 1 "r", "R"'));
  assert.deepEqual(v.reals.map((r) => [r.request, r.receive, r.ownRequest, r.checkPort]), [['/v', 'V', false, 9000], ['/r', 'R', true, 9000]]);
});

test('ftp and sip login defaults are set when service= is read (ldirectord)', () => {
  const ftp = one(vs('service=ftp'));
  assert.deepEqual([ftp.login, ftp.passwd], ['anonymous', 'ldirectord@director1']);
  assert.equal(one(vs('login="me"', 'service=ftp')).login, 'me');
  assert.equal(one(vs('service=sip')).login, 'ldirectord@director1');
  assert.equal(one('virtual=192.0.2.1:21\n\treal=192.0.2.2:21 gate\n').login, '', 'a service chosen by port sets no login');
});

test('fallback on a fwmark virtual has no port (not `-r :0`), global or own', () => {
  const c = ok('fallback=127.0.0.1 gate\nvirtual=5\n\treal=192.0.2.2 gate\nvirtual=6\n\treal=192.0.2.2 gate\n\tfallback=127.0.0.2\n');
  assert.deepEqual([c.virtuals[0]!.fallback?.address, c.virtuals[0]!.fallback?.port], ['127.0.0.1', undefined]);
  assert.deepEqual([c.virtuals[1]!.fallback?.address, c.virtuals[1]!.fallback?.port], ['127.0.0.2', undefined]);
});

test('checkinterval applies per virtual only with fork=yes', () => {
  assert.equal(one(`fork=yes\ncheckinterval=20\n${vs('checkinterval=3')}`).checkinterval, 3);
  assert.equal(one(`checkinterval=20\n${vs('checkinterval=3')}`).checkinterval, 20);
  const w = warnings(`checkinterval=20\n${vs('checkinterval=3')}`);
  assert.deepEqual(w.map((d) => [d.code, d.line]), [['W-IGNORED', 4]]);
});

test('syntax: tabs, 4+ spaces, spaces around =, comments, blank lines (haldir continues the section)', () => {
  const v = one('virtual = 192.0.2.1:80\n    real = 192.0.2.2:80 gate\n \treal=192.0.2.3:80 gate # two\n# column-0 comment\n\n\t# indented comment\n        scheduler=rr   # inline\n');
  assert.deepEqual([v.reals.length, v.scheduler], [2, 'rr']);
  const r = parse(vs('quiescent=yes # comment'));
  assert.equal(r.config?.virtuals[0]!.quiescent, true, 'the inline comment does not corrupt the value');
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['W-COMPAT']);
});

test('lenient values are accepted like ldirectord, with a warning', () => {
  const r = parse(`checktimeout=3abc\n${vs('checktype=negotiate extra', 'scheduler=Wrr')}`);
  assert.ok(r.config);
  assert.equal(r.config.global.checktimeout, 3);
  assert.equal(r.config.virtuals[0]!.scheduler, 'rr');
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line]), [['W-TRAILING', 1], ['W-TRAILING', 4], ['W-TRAILING', 5]]);
  assert.match(r.diagnostics[0]!.message, /checktimeout value `3abc`: only `3` is used/);
});

test('warnings: deprecated checkcount, duplicate reals, missing maintenancedir, ignored u: before l:', () => {
  const w = warnings(`checkcount=2\nmaintenancedir=/nope\n${vs('real=192.0.2.2:80 masq', 'real=192.0.2.3:80 gate 1 u:5 l:2')}`);
  assert.deepEqual(w.map((d) => [d.code, d.line]), [['W-DEPRECATED', 1], ['W-MISSING-DIR', 2], ['W-DUPLICATE-REAL', 5], ['W-IGNORED', 6]]);
});

test('ldirectord reads `virtual=192.0.2.1` (no port) as firewall mark 192; haldir does too, with a warning', () => {
  const r = parse('virtual=192.0.2.1\n\treal=192.0.2.2 gate\n');
  assert.equal(r.config?.virtuals[0]!.id, 'fwm:192');
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['W-TRAILING']);
});

test('a /16 range expands to 65536 reals; one more address is refused', () => {
  const v = one('virtual=192.0.2.1:80\n\treal=10.10.0.0->10.10.255.255:80 gate 2\n');
  assert.equal(v.reals.length, 65536);
  assert.deepEqual([v.reals[65535]!.address, v.reals[65535]!.weight], ['10.10.255.255', 2]);
  assert.equal(parse('virtual=192.0.2.1:80\n\treal=10.10.0.0->10.11.0.0:80 gate\n').config, undefined);
});

test('ranges are expanded as ldirectord does, string comparison included', () => {
  const r = parse('virtual=192.0.2.1:80\n\treal=5.245.224.250->5.245.225.5:80 gate\n\treal=10.0.0.1->10.0.0.3:80 gate\n');
  // 5.245.224.250 is 99999994 and 5.245.225.5 is 100000005: "99999994" le "100000005" is false
  assert.deepEqual(r.config?.virtuals[0]!.reals.map((x) => x.address), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line]), [['W-COMPAT', 2]]);
});

test('a real request starting with "/" loses its receive in ldirectord; non-http checks keep the request', () => {
  const r = parse('virtual=192.0.2.1:5432\n\treal=192.0.2.2:5432 gate 1 "/select 1", "1" u:4\n\treceive="v"\n');
  const real = r.config!.virtuals[0]!.reals[0]!;
  assert.deepEqual([real.request, real.receive, real.ownRequest, real.upperThreshold], ['/select 1', 'v', false, 0]);
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['W-COMPAT']);
});
