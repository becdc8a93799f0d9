// Differential tests against real keepalived 2.2.7: for each keepalived.conf fixture,
// keepalived's own dump of the effective configuration (-d) must agree with the model
// haldir builds from the imported vrrp.cf. Root only (network namespaces).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importKeepalived } from '../../src/vrrp-config/import-keepalived.js';
import { compareGlobal, compareGroup, compareInstance } from './keepalived-compare.js';
import { keepalivedCheck, keepalivedDump } from './keepalived-dump.js';
import { readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseVrrpConfig } from '../../src/vrrp-config/parse.js';
import { ROOT, STRICT_NO_VIP, TRACK_INTERFACE_INLINE, repoFile } from './helpers.js';

const root = process.getuid?.() === 0;
const skip = root ? false : 'needs root: keepalived runs in a network namespace the test creates';
const IFACES = ['eth0', 'eth1', 'eth2', 'eth3', 'eth0.1', 'eno16777736'];

/**
 * Scripts are replaced by /bin/true on both sides: the articles' and samples' scripts do not
 * exist here (keepalived would disable them). lvs_sync_daemon_interface makes keepalived
 * start IPVS, which this kernel lacks.
 */
const runnable = (conf: string) =>
  conf
    .replace(/^(\s*script\s+).*$/gm, '$1"/bin/true"')
    .replace(/^(\s*notify\w*\s+"?)\/(usr\/local\/bin|etc\/keepalived)\/\S+?(?=["\s])/gm, '$1/bin/true')
    .replace(/^\s*lvs_sync_daemon_interface .*$/gm, '')
    // VMAC interfaces are not implemented by haldir-vrrp (import reports use_vmac)
    .replace(/^\s*use_vmac\b.*$/gm, '');

const FIXTURE_DIR = `${ROOT}test/fixtures/keepalived/`;
/** Every fixture with at least one vrrp_instance (LVS-only samples have nothing to compare). */
const FIXTURES = [
  ...readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.conf')),
  ...readdirSync(FIXTURE_DIR + 'samples').filter((f) => f.endsWith('.conf')).map((f) => `samples/${f}`),
].filter((f) => /^\s*vrrp_instance\s/m.test(repoFile(`test/fixtures/keepalived/${f}`)));

for (const name of FIXTURES) {
  test(`keepalived -d agrees with the imported model: ${name}`, { skip, timeout: 60_000 }, async () => {
    const conf = runnable(repoFile(`test/fixtures/keepalived/${name}`));
    const imported = importKeepalived(conf, name);
    // router_id defaults to the host name on both sides (the namespace shares the UTS namespace)
    const model = parseVrrpConfig(imported.vrrpCf, name, { hostname: hostname() }).config;
    assert.ok(model, imported.vrrpCf);
    const dump = await keepalivedDump(conf, IFACES);
    assert.ok(dump.instances.size > 0, `keepalived dumped no instance:\n${dump.log}`);
    assert.deepEqual([...dump.instances.keys()].sort(), model.instances.map((i) => i.name).sort(), 'same instances');
    for (const i of model.instances) {
      const k = dump.instances.get(i.name);
      assert.ok(k);
      compareInstance(k, i, model, `${name} ${i.name}`);
    }
    compareGlobal(dump, model, name);
    assert.deepEqual([...dump.groups.keys()].sort(), model.syncGroups.map((g) => g.name).sort(), 'same sync groups');
    for (const g of model.syncGroups) compareGroup(dump.groups.get(g.name)!, g, `${name} sync group ${g.name}`);
  });
}

test('the differential set covers the seed articles, every-block, edge cases and keepalived\'s own samples', () => {
  assert.ok(FIXTURES.length >= 18, FIXTURES.join(' '));
  assert.ok(FIXTURES.includes('samples/keepalived.conf.vrrp.sync.conf'));
});

test('keepalived -t accepts the fixtures that are meant to be clean, and sees the article\'s missing brace', { skip, timeout: 60_000 }, () => {
  for (const name of ['every-block.conf', 'seed002-lb01.conf', 'seed002-lb02.conf']) {
    const r = keepalivedCheck(runnable(repoFile(`test/fixtures/keepalived/${name}`)), IFACES);
    assert.equal(r.status, 0, `${name}: ${r.output}`);
  }
  const broken = keepalivedCheck(repoFile('test/fixtures/keepalived/seed000-director2-missing-brace.conf'), IFACES);
  assert.notEqual(broken.status, 0);
  assert.match(broken.output, /missing '}'/);
});

test('keepalived refuses a strict instance without a VIP, which the import reports as I-REJECTED', { skip, timeout: 60_000 }, async () => {
  const dump = await keepalivedDump(STRICT_NO_VIP, IFACES);
  assert.match(dump.log, /\(VI_2\) No VIP specified; at least one is required/);
  assert.match(dump.log, /exited with permanent error CONFIG/);
  assert.equal(dump.instances.size, 0, 'keepalived runs no instance at all');
  const r = importKeepalived(STRICT_NO_VIP, 's.conf');
  assert.deepEqual(r.unconverted.filter((u) => u.severity === 'error').map((u) => [u.line, u.code]), [[11, 'I-REJECTED']]);
});

test('keepalived reads the lines after `track_interface eth0` as interface names, as the import\'s I-DIFFERS warning says', { skip, timeout: 60_000 }, () => {
  const k = keepalivedCheck(TRACK_INTERFACE_INLINE, IFACES);
  assert.notEqual(k.status, 0, k.output);
  assert.match(k.output, /Line 6\) Block track_interface has extra parameters eth0/);
  assert.match(k.output, /Line 7\) \(VI_1\) tracked interface authentication doesn't exist/);
  assert.match(k.output, /Line 9\) \(VI_1\) tracked interface auth_pass doesn't exist/);
  const r = importKeepalived(TRACK_INTERFACE_INLINE, 't.conf');
  assert.deepEqual(r.unconverted.map((u) => [u.line, u.code]), [[6, 'I-DIFFERS']]);
  assert.match(r.unconverted[0]?.reason ?? '', /lines 7-10, .*losing authentication/);
});
