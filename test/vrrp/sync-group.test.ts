// Privileged: a vrrp_sync_group across two haldir-vrrp nodes. Node a (priority 150)
// and b (100) each run VI_1 and VI_2 in group G1; a's VI_1 tracks a script (weight 0).
// When the script fails, a's VI_1 goes to FAULT and drags VI_2 with it although VI_2
// itself is healthy: both VIPs move to b together. When it recovers, both come back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLan, isRoot, rootSkipReason } from '../helpers/netns/lan.js';
import { hasVip, startHaldir, stopPeer } from './helpers/peers.js';
import type { Peer } from './helpers/peers.js';

const skip = isRoot() ? false : rootSkipReason;

function groupCf(routerId: string, priority: number, subnet: string, script?: string): string {
  const inst = (name: string, vrid: number, vip: string, extra: string[]) =>
    [`[vrrp_instance ${name}]`, 'state = BACKUP', 'interface = eth0', `virtual_router_id = ${vrid}`, `priority = ${priority}`, 'version = 3', 'advert_int = 0.1', `virtual_ipaddress[] = ${vip}/24`, 'garp_master_repeat = 1', ...extra, ''].join('\n');
  return [
    '[global]',
    `router_id = ${routerId}`,
    '',
    ...(script ? ['[vrrp_script chk]', `script = ${script}`, 'interval = 0.2', 'timeout = 1', 'weight = 0', ''] : []),
    inst('VI_1', 91, `${subnet}.100`, script ? ['track_script[] = chk'] : []),
    inst('VI_2', 92, `${subnet}.101`, []),
    '[vrrp_sync_group G1]',
    'group[] = VI_1',
    'group[] = VI_2',
    '',
  ].join('\n');
}

test('sync group: one member failing moves both VIPs to the peer, recovery brings both back', { skip }, async () => {
  const lan = await createLan(['a', 'b'], { label: 'vg' });
  const dir = mkdtempSync(join(tmpdir(), 'haldir-vrrp-sync-'));
  const flag = join(dir, 'healthy');
  writeFileSync(flag, '');
  const peers: Peer[] = [];
  const v1 = `${lan.subnet4}.100`;
  const v2 = `${lan.subnet4}.101`;
  try {
    const a = startHaldir(lan, 'a', groupCf('a', 150, lan.subnet4, `/usr/bin/test -f ${flag}`));
    const b = startHaldir(lan, 'b', groupCf('b', 100, lan.subnet4));
    peers.push(a, b);
    await a.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000);
    await a.waitFor(/\(VI_2\) Entering MASTER STATE/, 5000);
    for (const v of [v1, v2]) {
      assert.equal(await hasVip(lan, 'a', v, true), true);
      assert.equal(await hasVip(lan, 'b', v, false), false);
    }

    let t = performance.now();
    rmSync(flag);
    await a.waitFor(/\(VI_1\) Entering FAULT STATE/, 3000, t);
    await a.waitFor(/\(VI_2\) Entering FAULT STATE/, 3000, t);
    await b.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000, t);
    await b.waitFor(/\(VI_2\) Entering MASTER STATE/, 3000, t);
    for (const v of [v1, v2]) {
      assert.equal(await hasVip(lan, 'b', v, true), true, `${v} moved to b with its group`);
      assert.equal(await hasVip(lan, 'a', v, false), false);
    }

    t = performance.now();
    writeFileSync(flag, '');
    await a.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000, t);
    await a.waitFor(/\(VI_2\) Entering MASTER STATE/, 3000, t);
    await b.waitFor(/\(VI_2\) Entering BACKUP STATE/, 3000, t);
    for (const v of [v1, v2]) assert.equal(await hasVip(lan, 'a', v, true), true);
    for (const v of [v1, v2]) assert.equal(await hasVip(lan, 'b', v, false), false);
  } finally {
    for (const p of peers) await stopPeer(p);
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
