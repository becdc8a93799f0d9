// The shipped configs (etc/ldirectord.cf, etc/demo.cf, etc/examples/*.cf: the layouts of
// the field configs in the project's seeds) parse to the expected model, and ldirectord
// itself accepts each of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from './helpers.js';
import { requireLdirectord, runLdirectord } from './ldirectord-oracle.js';
import type { Config } from '../../src/config/model.js';

const ETC = new URL('../../../etc/', import.meta.url).pathname;
const SHIPPED = ['ldirectord.cf', 'demo.cf', 'examples/dr-weights.cf', 'examples/fwmark.cf', 'examples/commented.cf', 'examples/ipv6-mixed.cf'];

function load(name: string): Config {
  const r = parse(readFileSync(ETC + name, 'utf8'));
  assert.deepEqual(r.diagnostics, [], `${name} should parse without diagnostics`);
  assert.ok(r.config);
  return r.config;
}

const summary = (c: Config): unknown =>
  c.virtuals.map((v) => ({ id: v.id, service: v.service, check: v.check.kind, scheduler: v.scheduler, reals: v.reals.map((r) => `${r.address}:${r.port}/${r.forward}/${r.weight}`), fallback: v.fallback ? `${v.fallback.address}:${v.fallback.port ?? '-'}` : undefined }));

test('etc/ldirectord.cf: the documented sample', () => {
  const c = load('ldirectord.cf');
  assert.deepEqual(summary(c), [
    { id: 'tcp:192.0.2.10:80', service: 'http', check: 'negotiate', scheduler: 'wrr', reals: ['192.0.2.21:80/gate/2', '192.0.2.22:80/gate/1'], fallback: '127.0.0.1:80' },
    { id: 'tcp:192.0.2.10:443', service: 'https', check: 'negotiate', scheduler: 'wlc', reals: ['10.0.0.21:443/masq/1', '10.0.0.22:443/masq/1'], fallback: '127.0.0.1:80' },
    { id: 'udp:192.0.2.53:53', service: 'dns', check: 'negotiate', scheduler: 'rr', reals: ['10.0.0.31:53/masq/1', '10.0.0.32:53/masq/1'], fallback: '127.0.0.1:80' },
  ]);
  const web = c.virtuals[0]!;
  assert.deepEqual([web.request, web.receive, web.virtualhost, web.checktimeout, web.negotiatetimeout, web.failurecount, web.checkinterval], ['/health', 'OK', 'www.example.com', 3, 10, 2, 5]);
  assert.equal(c.virtuals[1]!.persistent, 300);
  assert.deepEqual([c.global.autoreload, c.global.quiescent, c.global.logfile], [true, false, 'local0']);
});

test('etc/demo.cf: loopback demo, two virtuals with three reals each', () => {
  const c = load('demo.cf');
  assert.equal(c.virtuals.length, 2);
  for (const v of c.virtuals) {
    assert.equal(v.reals.length, 3);
    assert.ok(v.address!.startsWith('127.'));
    for (const r of v.reals) assert.match(r.address, /^127\.0\.1\.\d$/);
    assert.deepEqual([v.check.kind, v.service, v.receive, v.checkinterval, v.quiescent], ['negotiate', 'http', 'OK', 1, false]);
    assert.deepEqual([v.fallback?.address, v.fallback?.port], ['127.0.0.1', 8080]);
  }
  assert.deepEqual(c.virtuals.flatMap((v) => v.reals.map((r) => r.port)), [8081, 8082, 8083, 8084, 8085, 8086]);
  assert.equal(c.global.supervised, true);
});

test('etc/examples/dr-weights.cf: DR, weights 2 and 1, fallback 127.0.0.1:80, request/receive', () => {
  const c = load('examples/dr-weights.cf');
  assert.deepEqual(summary(c), [{ id: 'tcp:172.16.192.169:80', service: 'http', check: 'negotiate', scheduler: 'wrr', reals: ['172.16.254.105:80/gate/2', '172.16.254.18:80/gate/1'], fallback: '127.0.0.1:80' }]);
  const v = c.virtuals[0]!;
  assert.deepEqual([v.request, v.receive, v.checkport, v.checktimeout, v.checkinterval], ['/index.html', 'Server', 80, 3, 1]);
});

test('etc/examples/fwmark.cf: firewall mark 5 with inline comments', () => {
  const c = load('examples/fwmark.cf');
  assert.deepEqual(summary(c), [{ id: 'fwm:5', service: 'http', check: 'negotiate', scheduler: 'wrr', reals: ['172.16.0.7:80/gate/2', '172.16.0.8:80/gate/1'], fallback: '127.0.0.1:80' }]);
  assert.equal(c.virtuals[0]!.receive, 'CentOS');
  assert.deepEqual([c.global.fallback?.address, c.global.fallback?.port], ['127.0.0.1', 80]);
});

test('etc/examples/commented.cf: #-commented directives stay off', () => {
  const c = load('examples/commented.cf');
  const v = c.virtuals[0]!;
  assert.deepEqual(summary(c), [{ id: 'tcp:192.168.1.205:80', service: 'http', check: 'negotiate', scheduler: 'rr', reals: ['192.168.1.201:80/gate/1', '192.168.1.202:80/gate/1'], fallback: '127.0.0.1:80' }]);
  assert.deepEqual([v.request, v.receive, v.virtualhost, v.persistent, c.global.fallback, c.global.emailalert], ['/', '', undefined, undefined, undefined, []]);
});

test('etc/examples/ipv6-mixed.cf: fallback6 serves the virtual6', () => {
  const c = load('examples/ipv6-mixed.cf');
  assert.deepEqual(c.virtuals.map((v) => [v.id, v.fallback?.address, v.fallback?.port]), [['tcp:192.0.2.10:80', '127.0.0.1', 80], ['tcp:[2001:db8::10]:80', '::1', 80]]);
  assert.deepEqual([c.virtuals[1]!.netmask, c.virtuals[1]!.persistent, c.virtuals[1]!.check.kind], ['64', 120, 'connect']);
});

test('ldirectord accepts every shipped config', async () => {
  requireLdirectord();
  for (const name of SHIPPED) {
    const r = await runLdirectord(name.replace('/', '-'), readFileSync(ETC + name, 'utf8'), { debug: true });
    assert.deepEqual(r, { exit: 3 }, name);
  }
});
