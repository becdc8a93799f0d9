// The I/O side: config lookup order, /etc/services, name resolution in two passes,
// file-system checks (monitorfile, maintenancedir), unreadable files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configBaseName, configCandidates, findConfigFile } from '../../src/config/lookup.js';
import { loadLdirectordCf, parseLdirectordCfText } from '../../src/config/load.js';
import { lookupService, parseServices } from '../../src/config/services-file.js';
import { canonicalIPv6 } from '../../src/config/net.js';

test('config lookup: /etc/ha.d/NAME, then /etc/ha.d/conf/NAME, then NAME', () => {
  assert.deepEqual(configCandidates('x.cf', '/etc/ha.d'), ['/etc/ha.d/x.cf', '/etc/ha.d/conf/x.cf', 'x.cf']);
  const files = new Set<string>();
  const fs = { isFile: (p: string) => files.has(p) };
  assert.equal(findConfigFile('x.cf', '/c', fs), undefined);
  files.add('x.cf');
  assert.equal(findConfigFile('x.cf', '/c', fs), 'x.cf');
  files.add('/c/conf/x.cf');
  assert.equal(findConfigFile('x.cf', '/c', fs), '/c/conf/x.cf');
  files.add('/c/x.cf');
  assert.equal(findConfigFile('x.cf', '/c', fs), '/c/x.cf');
  assert.equal(configBaseName('/etc/ha.d/web.cf'), 'web.cf');
});

test('getservbyname over services(5): aliases, protocols, first match', () => {
  const t = parseServices('# c\nhttp\t80/tcp\twww # WorldWideWeb\nhttp 80/udp\ndomain 53/tcp\ndomain 53/udp\nradius 1812/udp\nbad line\n');
  assert.equal(lookupService(t, 'www', 'tcp'), 80);
  assert.equal(lookupService(t, 'radius', 'tcp'), undefined);
  assert.equal(lookupService(t, 'radius', ''), 1812);
  assert.equal(lookupService(t, 'nope', ''), undefined);
});

test('IPv6 addresses are printed like inet_ntop', () => {
  const cases: [string, string][] = [['0:0:0:0:0:0:0:1', '::1'], ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['::ffff:1.2.3.4', '::ffff:1.2.3.4'], ['fe80:0:0:0:0:0:0:0', 'fe80::'], ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0']];
  for (const [a, b] of cases) assert.equal(canonicalIPv6(a), b);
});

test('names are resolved in rounds (ranges need both ends), through the injected lookup', async () => {
  const asked: string[] = [];
  const hosts: Record<string, string> = { 'inet lb': '192.0.2.1', 'inet first': '10.0.0.1', 'inet last': '10.0.0.3', 'inet6 v6host': '2001:DB8::5' };
  const r = await parseLdirectordCfText('virtual=lb:http\n\treal=first->last:80 gate\nvirtual6=[::1]:80\n\treal6=v6host:80 gate\n', 't.cf', {
    lookupHost: async (name, family) => {
      asked.push(`${family} ${name}`);
      return hosts[`${family} ${name}`];
    },
    hostname: 'h',
  });
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.config!.virtuals[0]!.reals.map((x) => x.address), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  assert.equal(r.config!.virtuals[0]!.port, 80, 'http from /etc/services');
  assert.equal(r.config!.virtuals[1]!.reals[0]!.address, '2001:db8::5');
  assert.deepEqual(new Set(asked), new Set(Object.keys(hosts)));
});

test('file checks: monitorfile directory, maintenancedir, unreadable config', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-load-'));
  try {
    mkdirSync(join(dir, 'maint'));
    const cf = join(dir, 'ok.cf');
    writeFileSync(cf, `maintenancedir=${dir}/maint\nvirtual=127.0.0.1:80\n\treal=127.0.0.2:80 gate\n\tmonitorfile="${dir}/mon.log"\n`);
    const good = await loadLdirectordCf(cf);
    assert.deepEqual(good.diagnostics, []);
    assert.equal(good.config!.virtuals[0]!.monitorfile, `${dir}/mon.log`);
    writeFileSync(cf, `maintenancedir=${dir}/none\nvirtual=127.0.0.1:80\n\treal=127.0.0.2:80 gate\n\tmonitorfile="${dir}/no/mon.log"\n`);
    const bad = await loadLdirectordCf(cf);
    assert.deepEqual(bad.diagnostics.map((d) => [d.code, d.line]), [['W-MISSING-DIR', 1], ['E-FILE', 4]]);
    const missing = await loadLdirectordCf(join(dir, 'missing.cf'));
    assert.deepEqual(missing.diagnostics.map((d) => [d.code, d.line]), [['E-FILE', 0]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
