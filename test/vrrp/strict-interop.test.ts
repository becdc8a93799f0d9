// Privileged: keepalived's own default keepalived.conf (it sets vrrp_strict) on two nodes,
// one running keepalived 2.2.7 and one running haldir-vrrp on the imported vrrp.cf. In
// strict mode keepalived starts BACKUP (priority 100 is no address owner) and sends no
// authentication; haldir-vrrp must do the same, or each node drops the other's adverts
// and both keep the VIPs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLan, isRoot, rootSkipReason } from '../helpers/netns/lan.js';
import { hasVip, startHaldir, startKeepalived, stopPeer } from './helpers/peers.js';
import type { Peer } from './helpers/peers.js';
import { importKeepalived } from '../../src/vrrp-config/import-keepalived.js';
import { repoFile } from '../vrrp-config/helpers.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Lan } from '../helpers/netns/lan.js';

const CLI = new URL('../../src/cli/haldir-vrrp.js', import.meta.url).pathname;
async function statusV(lan: Lan, h: Peer): Promise<string> {
  const r = await promisify(execFile)('ip', ['netns', 'exec', lan.nodes[h.node]!.ns, process.execPath, CLI, '--pidfile', `${h.dir}/haldir-vrrp.pid`, `${h.dir}/vrrp.cf`, 'status', '-v']);
  return r.stdout;
}

const skip = isRoot() ? false : rootSkipReason;

test('vrrp_strict: keepalived and haldir-vrrp on keepalived\'s default configuration elect one master', { skip, timeout: 60_000 }, async () => {
  const lan = await createLan(['k', 'h'], { label: 'vs' });
  const peers: Peer[] = [];
  try {
    const vip = `${lan.subnet4}.16`;
    // the sample's VIPs moved into this LAN; its virtual_server blocks are LVS (not started here)
    const conf = repoFile('test/fixtures/keepalived/samples/keepalived.conf.upstream-default.conf')
      .replace(/192\.168\.200\.(1[678])$/gm, `${lan.subnet4}.$1`)
      .replace(/^virtual_server[\s\S]*$/m, '');
    const imported = importKeepalived(conf, 'keepalived.conf');
    // keepalived first, so that it is the master haldir-vrrp must accept (equal priorities:
    // RFC 3768 6.4.2, a backup does not preempt a master of the same priority)
    const k = startKeepalived(lan, 'k', conf);
    peers.push(k);
    await k.waitFor(/\(VI_1\) Entering MASTER STATE/, 15_000);
    const t = performance.now();
    const h = startHaldir(lan, 'h', imported.vrrpCf);
    peers.push(h);
    await h.waitFor(/\(VI_1\) Entering BACKUP STATE/, 10_000, t);
    // haldir-vrrp accepts keepalived's unauthenticated adverts: status -v names keepalived
    // as the master (a dropped advert never sets it), and haldir-vrrp stays BACKUP for two
    // Master_Down_Intervals (3 x 1 s + skew) after it started. With the old import it
    // dropped them for their missing password and became a second master.
    const kIp = lan.nodes.k!.ip4;
    const masterDown = 3_000 + ((256 - 100) / 256) * 1_000;
    const deadline = performance.now() + 30_000;
    let status = '';
    for (;;) {
      status = await statusV(lan, h);
      const row = status.split('\n').find((l) => l.startsWith('VI_1 '));
      if (row?.includes(` ${kIp} `) && performance.now() - t > 2 * masterDown) break;
      if (performance.now() > deadline) assert.fail(`timed out waiting for haldir-vrrp to follow keepalived (${kIp}) as master:\n${status}\n${h.lines.map((l) => l.text).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(status, /^VI_1\s+BACKUP\b/m, status);
    assert.ok(!h.has(/Entering MASTER STATE/), 'haldir-vrrp never became a second master');
    assert.equal(await hasVip(lan, 'h', vip, false), false);
    assert.equal(await hasVip(lan, 'k', vip, true), true);
    assert.ok(!k.has(/invalid passwd|received an? .*auth/i), 'keepalived rejected no advert');
  } finally {
    for (const p of peers) await stopPeer(p);
    await lan.destroy();
  }
});
