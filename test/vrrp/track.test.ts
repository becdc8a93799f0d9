// Privileged: tracking moves the VIP between haldir-vrrp and keepalived for real.
// haldir (priority 150) tracks a script (weight -100) and an interface (weight 0);
// keepalived (100) backs it up. A failing script lowers haldir below keepalived
// (keepalived preempts); the script recovering makes haldir preempt back; the tracked
// interface going down puts haldir in FAULT (priority-0 advert, VIPs removed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLan, isRoot, rootSkipReason } from '../helpers/netns/lan.js';
import { hasVip, keepalivedConf, startHaldir, startKeepalived, stopPeer, vrrpCf } from './helpers/peers.js';
import type { Peer } from './helpers/peers.js';
import { riseFall } from '../../src/vrrp/track.js';

const skip = isRoot() ? false : rootSkipReason;

test('rise/fall: consecutive results flip the state, not single ones', () => {
  let s = { up: true, okRun: 0, failRun: 0 };
  const seq = [false, true, false, false, true, true, true];
  const ups: boolean[] = [];
  for (const ok of seq) {
    s = riseFall(s, ok, 3, 2).state;
    ups.push(s.up);
  }
  assert.deepEqual(ups, [true, true, true, false, false, false, true]);
});

test('track_script weight and track_interface FAULT move the VIP between haldir and keepalived', { skip }, async () => {
  const lan = await createLan(['a', 'b'], { label: 'vt' });
  const dir = mkdtempSync(join(tmpdir(), 'haldir-vrrp-track-'));
  const flag = join(dir, 'healthy');
  writeFileSync(flag, '');
  const peers: Peer[] = [];
  const vip = `${lan.subnet4}.100`;
  const vipOn = (n: string, expect: boolean) => hasVip(lan, n, vip, expect);
  try {
    await lan.exec('a', 'ip', ['link', 'add', 'trk0', 'type', 'veth', 'peer', 'name', 'trk1']);
    await lan.exec('a', 'ip', ['link', 'set', 'trk1', 'up']);
    await lan.exec('a', 'ip', ['link', 'set', 'trk0', 'up']);
    const spec = { vrid: 81, version: 3 as const, advertInt: 0.1, vips: [`${vip}/24`] };
    const cf =
      vrrpCf({ ...spec, priority: 150, state: 'MASTER' }, 'ha') +
      'track_interface[] = trk0\ntrack_script[] = chk\n\n[vrrp_script chk]\n' +
      `script = /usr/bin/test -f ${flag}\ninterval = 0.2\ntimeout = 1\nweight = -100\n`;
    const k = startKeepalived(lan, 'b', keepalivedConf({ ...spec, priority: 100 }, 'kb'));
    peers.push(k);
    await k.waitFor(/Entering MASTER STATE/, 5000);
    const h = startHaldir(lan, 'a', cf);
    peers.push(h);
    await h.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000);
    await k.waitFor(/\(VI_1\) Entering BACKUP STATE/, 3000);
    assert.equal(await vipOn('a', true), true);

    let t = performance.now();
    rmSync(flag);
    await k.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000, t);
    await h.waitFor(/\(VI_1\) Entering BACKUP STATE/, 3000, t);
    assert.equal(await vipOn('b', true), true, 'keepalived took over from the lowered haldir');
    assert.equal(await vipOn('a', false), false);

    t = performance.now();
    writeFileSync(flag, '');
    await h.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000, t);
    await k.waitFor(/\(VI_1\) Master received advert from \S+ with higher priority 150, ours 100/, 3000, t);

    t = performance.now();
    await lan.exec('a', 'ip', ['link', 'set', 'trk0', 'down']);
    await h.waitFor(/\(VI_1\) Entering FAULT STATE/, 3000, t);
    await k.waitFor(/\(VI_1\) Backup received priority 0 advertisement/, 3000, t);
    await k.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000, t);
    assert.equal(await vipOn('a', false), false, 'FAULT removes the VIPs');

    t = performance.now();
    await lan.exec('a', 'ip', ['link', 'set', 'trk0', 'up']);
    await h.waitFor(/\(VI_1\) Entering BACKUP STATE/, 3000, t);
    await h.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000, t);
    await k.waitFor(/\(VI_1\) Entering BACKUP STATE/, 3000, t);

    // The VRRP interface itself is tracked implicitly, as keepalived does; after the
    // flap the same socket still sends and receives.
    t = performance.now();
    await lan.exec('a', 'ip', ['link', 'set', 'eth0', 'down']);
    await h.waitFor(/\(VI_1\) Entering FAULT STATE/, 3000, t);
    await k.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000, t);
    t = performance.now();
    await lan.exec('a', 'ip', ['link', 'set', 'eth0', 'up']);
    await h.waitFor(/\(VI_1\) Entering BACKUP STATE/, 3000, t);
    await h.waitFor(/\(VI_1\) Entering MASTER STATE/, 3000, t);
    await k.waitFor(/\(VI_1\) Master received advert from \S+ with higher priority 150, ours 100/, 3000, t);
    assert.equal(await vipOn('a', true), true);
    assert.equal(await vipOn('b', false), false);
  } finally {
    for (const p of peers) await stopPeer(p);
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
