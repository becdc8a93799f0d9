// Privileged: a vrrp_sync_group across two haldir-vrrp nodes. Node a (priority 150)
// and b (100) each run VI_1 and VI_2 in group G1; a's VI_1 tracks a script (weight 0).
// When the script fails, a's VI_1 goes to FAULT and drags VI_2 with it although VI_2
// itself is healthy: both VIPs move to b together. When it recovers, both come back.
// a's group has notify scripts: haldir-vrrp runs them on the group's own transitions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLan, isRoot, rootSkipReason } from '../helpers/netns/lan.js';
import type { Lan } from '../helpers/netns/lan.js';
import { importKeepalived } from '../../src/vrrp-config/import-keepalived.js';
import { hasVip, startHaldir, startKeepalived, stopPeer } from './helpers/peers.js';
import type { Peer } from './helpers/peers.js';

const skip = isRoot() ? false : rootSkipReason;

/** The lines the group notify script wrote, polled until `want` holds. */
async function notified(file: string, want: (lines: string[]) => boolean, what: string): Promise<string[]> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
    if (want(lines)) return lines;
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}; the group notify script wrote ${JSON.stringify(lines)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function groupCf(routerId: string, priority: number, subnet: string, script?: string, groupNotify: string[] = []): string {
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
    ...groupNotify,
    '',
  ].join('\n');
}

test('sync group: one member failing moves both VIPs to the peer, recovery brings both back', { skip }, async () => {
  const lan = await createLan(['a', 'b'], { label: 'vg' });
  const dir = mkdtempSync(join(tmpdir(), 'haldir-vrrp-sync-'));
  const flag = join(dir, 'healthy');
  writeFileSync(flag, '');
  const log = join(dir, 'group-notify.log');
  const notify = join(dir, 'group-notify.sh');
  writeFileSync(notify, `#!/bin/sh\necho "$@" >> ${log}\n`);
  chmodSync(notify, 0o755);
  const generic = (l: string[]) => l.filter((x) => x.startsWith('GROUP '));
  const peers: Peer[] = [];
  const v1 = `${lan.subnet4}.100`;
  const v2 = `${lan.subnet4}.101`;
  try {
    const a = startHaldir(lan, 'a', groupCf('a', 150, lan.subnet4, `/usr/bin/test -f ${flag}`, [`notify = ${notify}`, `notify_fault = ${notify} group-fault`]));
    const b = startHaldir(lan, 'b', groupCf('b', 100, lan.subnet4));
    peers.push(a, b);
    await a.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000);
    await a.waitFor(/\(VI_2\) Entering MASTER STATE/, 5000);
    for (const v of [v1, v2]) {
      assert.equal(await hasVip(lan, 'a', v, true), true);
      assert.equal(await hasVip(lan, 'b', v, false), false);
    }
    await notified(log, (l) => generic(l).length >= 2, 'the group\'s BACKUP and MASTER');
    assert.deepEqual(generic(await notified(log, () => true, '')), ['GROUP G1 BACKUP 0', 'GROUP G1 MASTER 0']);

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
    await notified(log, (l) => l.includes('group-fault') && generic(l).length >= 3, 'the group\'s FAULT');

    t = performance.now();
    writeFileSync(flag, '');
    await a.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000, t);
    await a.waitFor(/\(VI_2\) Entering MASTER STATE/, 3000, t);
    await b.waitFor(/\(VI_2\) Entering BACKUP STATE/, 3000, t);
    for (const v of [v1, v2]) assert.equal(await hasVip(lan, 'a', v, true), true);
    for (const v of [v1, v2]) assert.equal(await hasVip(lan, 'b', v, false), false);
    await notified(log, (l) => generic(l).length >= 5, 'the group\'s BACKUP and MASTER after recovery');
    // TERM: an orderly stop, which runs the STOP scripts (keepalived notify_shutdown)
    a.kill('SIGTERM');
    await a.waitFor(/Stopped/, 10_000);
    const lines = await notified(log, (l) => l.includes('GROUP G1 STOP 0'), 'the group\'s STOP');
    assert.deepEqual(generic(lines), ['GROUP G1 BACKUP 0', 'GROUP G1 MASTER 0', 'GROUP G1 FAULT 0', 'GROUP G1 BACKUP 0', 'GROUP G1 MASTER 0', 'GROUP G1 STOP 0']);
    assert.deepEqual(lines.filter((x) => x === 'group-fault'), ['group-fault'], 'notify_fault once, for the group');
  } finally {
    for (const p of peers) await stopPeer(p);
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** One keepalived.conf for both daemons; NOTIFY is replaced by each side's own script. */
const GROUP_NOTIFY_CONF = `global_defs {
  script_user root
  enable_script_security
}
vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
  notify NOTIFY
  notify_fault "NOTIFY group-fault"
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 81
  priority 150
  version 3
  advert_int 0.2
  virtual_ipaddress {
    SUBNET.181/24
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 82
  priority 150
  version 3
  advert_int 0.2
  virtual_ipaddress {
    SUBNET.182/24
  }
}
`;

test('sync group notify: haldir-vrrp runs the group scripts keepalived 2.2.7 runs, in the same order, on the same keepalived.conf', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-vrrp-gnotify-'));
  const lans: Lan[] = [];
  const peers: Peer[] = [];
  try {
    // Each daemon alone on its own LAN: the same VRIDs must not meet.
    const run = async (kind: 'keepalived' | 'haldir'): Promise<string[]> => {
      const lan = await createLan(['n'], { label: kind === 'haldir' ? 'gh' : 'gk' });
      lans.push(lan);
      const log = join(dir, `${kind}.log`);
      const script = join(dir, `${kind}.sh`);
      writeFileSync(script, `#!/bin/sh\necho "$@" >> ${log}\n`);
      chmodSync(script, 0o755);
      const conf = GROUP_NOTIFY_CONF.replaceAll('NOTIFY', script).replaceAll('SUBNET', lan.subnet4);
      const imported = importKeepalived(conf, 'keepalived.conf');
      assert.deepEqual(imported.unconverted.map((u) => u.text), ['script_user root', 'enable_script_security'], 'the group converts whole');
      const p = kind === 'haldir' ? startHaldir(lan, 'n', imported.vrrpCf) : startKeepalived(lan, 'n', conf);
      peers.push(p);
      const seen = (n: number, what: string) => notified(log, (l) => l.length >= n, `${kind}: ${what}`);
      await seen(2, 'the group\'s BACKUP and MASTER');
      await lan.setLinkUp('n', false);
      await seen(4, 'the group\'s FAULT (link down)');
      await lan.setLinkUp('n', true);
      await seen(6, 'the group\'s BACKUP and MASTER after the link came back');
      p.kill('SIGTERM');
      return seen(7, 'the group\'s STOP');
    };
    const [k, h] = await Promise.all([run('keepalived'), run('haldir')]);
    // notify_fault and the generic script start together: their lines may come in either order
    assert.deepEqual(k.filter((l) => l.startsWith('GROUP ')), ['GROUP G1 BACKUP 0', 'GROUP G1 MASTER 0', 'GROUP G1 FAULT 0', 'GROUP G1 BACKUP 0', 'GROUP G1 MASTER 0', 'GROUP G1 STOP 0']);
    assert.deepEqual([...h].sort(), [...k].sort(), 'the same group notifications');
    assert.deepEqual(h.filter((l) => l.startsWith('GROUP ')), k.filter((l) => l.startsWith('GROUP ')), 'in the same order');
  } finally {
    for (const p of peers) await stopPeer(p);
    for (const l of lans) await l.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
