// Privileged end-to-end: induced split brain on a director pair in network namespaces.
// VRRP (IP protocol 112) is dropped between the directors with nftables inside their
// namespaces, so both become MASTER; haldir-vrrp's detector must see it within the
// documented bound (3 probe intervals + the 1 s probe wait), log it, mail it to a real
// SMTP server in the client namespace, run notify_split_brain, show it in status -v,
// and (split_brain_action = yield) leave exactly one VIP holder that the client's ARP
// cache follows. Healing the path returns the pair to one master, mailed as resolved.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isRoot, rootSkipReason } from '../helpers/netns/lan.js';
import { keepalivedConf, startHaldir, startKeepalived } from '../vrrp/helpers/peers.js';
import { createPair, lastAnswer, pairCf, sleep, until } from './helpers/pair.js';
import type { Pair } from './helpers/pair.js';

const run = promisify(execFile);
const skip = isRoot() ? false : rootSkipReason;
const CLI = new URL('../../src/cli/haldir-vrrp.js', import.meta.url).pathname;
/** Documented bound: 3 probe intervals (1 s each) + the duplicate-address probe's 1 s wait. */
const DETECT_BOUND_MS = 3 * 1000 + 1000;
/** The status channel's shared key, the same in both nodes' vrrp.cf. */
const STATUS_SECRET = 'e2e-status-secret-0123456789';

function notifyScript(dir: string): { path: string; log: string } {
  const path = join(dir, 'split-brain.sh');
  const log = join(dir, 'notify.log');
  writeFileSync(path, `#!/bin/sh\necho "$(hostname) $*" >> ${log}\n`);
  chmodSync(path, 0o755);
  return { path, log };
}

function splitBrainGlobals(p: Pair, self: 'a' | 'b', other: 'a' | 'b', action: string, notify: string, v6 = false): string[] {
  const n = p.lan.nodes;
  const at = (x: 'a' | 'b'): string => (v6 ? `[${n[x]!.ip6}]` : n[x]!.ip4);
  return [
    'emailalert = ops@example.com',
    'emailalertfrom = haldir@example.com',
    `smtp = ${p.smtpHost}:${p.smtpPort}`,
    `peer = ${at(other)}:7474`,
    `status_listen = ${at(self)}:7474`,
    `split_brain_action = ${action}`,
    `status_secret = ${STATUS_SECRET}`,
    `notify_split_brain = ${notify}`,
  ];
}

test('induced split brain, yield: detected within the bound, mailed, one VIP holder, client follows; healing restores one master', { skip, timeout: 90_000 }, async () => {
  const pair = await createPair('sy');
  const dir = mkdtempSync(join(tmpdir(), 'haldir-sb-'));
  try {
    const { vip } = pair;
    const hook = notifyScript(dir);
    const inst = { name: 'VI_1', vrid: 61, version: 3 as const, advertInt: 0.1, vips: [vip] };
    const pa = startHaldir(pair.lan, 'a', pairCf('lbA', splitBrainGlobals(pair, 'a', 'b', 'yield', hook.path), [{ ...inst, priority: 150, state: 'MASTER' }]));
    const pb = startHaldir(pair.lan, 'b', pairCf('lbB', splitBrainGlobals(pair, 'b', 'a', 'yield', hook.path), [{ ...inst, priority: 100 }]));
    pair.peers.push(pa, pb);
    await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, 8000);
    await pb.waitFor(/\(VI_1\) Entering BACKUP STATE/, 8000);
    await until(async () => (await pair.holders()).join() === 'a', 5000, 'the VIP on a only');
    const client = pair.client();
    await until(() => lastAnswer(client.samples()) === 'a', 5000, 'the client reaching a');
    const macA = await pair.mac('a');
    assert.equal(await pair.clientArp(), macA);
    assert.equal(pa.has(/split brain detected/), false, 'no false alarm in a healthy pair');

    // Cut VRRP both ways: b stops hearing a and takes over after Master_Down_Interval.
    const t0 = performance.now();
    await pair.blockVrrp('a');
    await pair.blockVrrp('b');
    const tDual = await pb.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000, t0);
    // Whichever node confirms first acts; b (the loser) always confirms, a may see b yield
    // before its own second probe round.
    const detected = /\(VI_1\) split brain detected: .*(ARP probe|status channel)/;
    const tB = await pb.waitFor(detected, DETECT_BOUND_MS + 1000, tDual);
    assert.ok(tB - tDual <= DETECT_BOUND_MS, `b detected after ${(tB - tDual).toFixed(0)} ms, bound ${DETECT_BOUND_MS} ms`);
    // The evidence names the other node: its MAC (ARP) or its address (status channel).
    const lineB = pb.lines.find((l) => detected.test(l.text))!.text;
    assert.ok(lineB.includes(macA) || lineB.includes(pair.lan.nodes.a!.ip4), `evidence names a: ${lineB}`);

    // yield: b (priority 100 < 150) steps down into FAULT; a keeps the VIP.
    await pb.waitFor(/\(VI_1\) split brain: yielding to .* \(priority 150, ours 100\)/, 3000, tDual);
    await pb.waitFor(/\(VI_1\) Entering FAULT STATE/, 3000, tDual);
    assert.equal(pa.has(/yielding to/), false, 'never both nodes yielding');
    await until(async () => (await pair.holders()).join() === 'a', 3000, 'exactly one VIP holder (a)');
    const mail = await pair.waitMail(/Split brain suspected/, 10_000);
    assert.match(mail.subject, /^\[lb[AB]\] VRRP Instance VI_1 - Split brain suspected$/);
    assert.match(mail.text, /split brain detected: /);
    assert.deepEqual(mail.to, ['ops@example.com']);

    // a saw the second master go (resolved, or gone before a confirmed): it re-announces the VIP.
    await pa.waitFor(/\(VI_1\) (split brain resolved|second master gone before confirmation .*|peer .* yielded to us): re-sending gratuitous ARPs for /, 6000, tDual);
    await until(async () => (await pair.clientArp()) === macA, 5000, "the client's ARP entry pointing at a");
    await until(() => lastAnswer(client.samples()) === 'a', 5000, 'the client answered by a');

    // status -v on the yielded node shows it.
    const st = await run(process.execPath, [CLI, '--pidfile', join(pb.dir, 'haldir-vrrp.pid'), join(pb.dir, 'vrrp.cf'), 'status', '-v']);
    assert.match(st.stdout, /VI_1\s+FAULT/);
    assert.match(st.stdout, /VI_1: split brain YIELDED \(since .*action yield; peer .*:7474; status channel (authenticated|unreachable: \w+)\)/);

    // Heal: b hears a's adverts again, leaves FAULT as BACKUP; still one holder, a.
    const tHeal = performance.now();
    await pair.unblockVrrp('a');
    await pair.unblockVrrp('b');
    await pb.waitFor(/\(VI_1\) split brain resolved: the peer's VRRP adverts are heard again; leaving FAULT/, 8000, tHeal);
    await pb.waitFor(/\(VI_1\) Entering BACKUP STATE/, 3000, tHeal);
    await sleep(1500);
    assert.deepEqual(await pair.holders(), ['a']);
    assert.equal(pb.has(/Entering MASTER STATE/) && pb.lines.filter((l) => l.at > tHeal).some((l) => /Entering MASTER STATE/.test(l.text)), false, 'b does not flap back to MASTER');
    assert.equal(await pair.clientArp(), macA);
    await pair.waitMail(/Split brain resolved/, 10_000);
    const notified = readFileSync(hook.log, 'utf8');
    assert.match(notified, /VI_1 DETECTED/);
    assert.match(notified, /VI_1 RESOLVED/);
  } finally {
    await pair.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mixed pair: keepalived 2.2.7 and haldir-vrrp; only haldir-vrrp detects the split brain (ARP probe), and it clears after healing', { skip, timeout: 90_000 }, async () => {
  const pair = await createPair('sm');
  const dir = mkdtempSync(join(tmpdir(), 'haldir-sb-'));
  try {
    const { vip } = pair;
    const hook = notifyScript(dir);
    const spec = { vrid: 62, version: 3 as const, advertInt: 0.1, vips: [`${vip}/24`] };
    const ka = startKeepalived(pair.lan, 'a', keepalivedConf({ ...spec, priority: 150, state: 'MASTER' }, 'kaA'));
    // No status channel on keepalived: haldir relies on ARP probes (and ping of the peer).
    const globals = splitBrainGlobals(pair, 'b', 'a', 'alert', hook.path).filter((l) => !l.startsWith('status_listen'));
    const hb = startHaldir(pair.lan, 'b', pairCf('lbB', globals, [{ name: 'VI_1', vrid: 62, version: 3, advertInt: 0.1, vips: [vip], priority: 100 }]));
    pair.peers.push(ka, hb);
    await ka.waitFor(/\(VI_1\) Entering MASTER STATE/, 8000);
    await hb.waitFor(/\(VI_1\) Entering BACKUP STATE/, 8000);
    await until(async () => (await pair.holders()).join() === 'a', 5000, 'the VIP on keepalived only');

    const t0 = performance.now();
    await pair.blockVrrp('a');
    await pair.blockVrrp('b');
    const tDual = await hb.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000, t0);
    await hb.waitFor(/\(VI_1\) peer .* answers ping although its adverts timed out: probing the VIPs for a second master now/, DETECT_BOUND_MS, tDual);
    const tDet = await hb.waitFor(/\(VI_1\) split brain detected: ARP probe: .* is also answered by /, DETECT_BOUND_MS + 1000, tDual);
    assert.ok(tDet - tDual <= DETECT_BOUND_MS, `detected after ${(tDet - tDual).toFixed(0)} ms`);
    const macA = await pair.mac('a');
    assert.ok(hb.lines.some((l) => l.text.includes(`also answered by ${macA}`)), "the evidence is keepalived's MAC");
    assert.deepEqual(await pair.holders(), ['a', 'b'], 'alert only: both still hold the VIP');
    assert.equal(ka.has(/split brain/i), false, 'keepalived does not notice');
    await pair.waitMail(/Split brain suspected/, 10_000);

    // Heal: keepalived's higher-priority adverts reach haldir, which steps back to BACKUP.
    const tHeal = performance.now();
    await pair.unblockVrrp('a');
    await pair.unblockVrrp('b');
    await hb.waitFor(/\(VI_1\) Entering BACKUP STATE/, 5000, tHeal);
    await hb.waitFor(/\(VI_1\) split brain resolved: this node left MASTER/, 3000, tHeal);
    await until(async () => (await pair.holders()).join() === 'a', 3000, 'one holder again');
    await pair.waitMail(/Split brain resolved/, 10_000);
    assert.match(readFileSync(hook.log, 'utf8'), /VI_1 RESOLVED/);
  } finally {
    await pair.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('asymmetric filtering: only b drops VRRP; a hears b advertise as a second master and detects it from the adverts', { skip, timeout: 60_000 }, async () => {
  const pair = await createPair('sa');
  try {
    const inst = { name: 'VI_1', vrid: 63, version: 3 as const, advertInt: 0.1, vips: [pair.vip] };
    // No peer / status channel: adverts and ARP are the only evidence.
    const pa = startHaldir(pair.lan, 'a', pairCf('lbA', [], [{ ...inst, priority: 150, state: 'MASTER' }]));
    const pb = startHaldir(pair.lan, 'b', pairCf('lbB', [], [{ ...inst, priority: 100 }]));
    pair.peers.push(pa, pb);
    await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, 8000);
    await pb.waitFor(/\(VI_1\) Entering BACKUP STATE/, 8000);
    const client = pair.client();
    await until(() => lastAnswer(client.samples()) === 'a', 5000, 'the client reaching a');
    const macA = await pair.mac('a');
    const t0 = performance.now();
    await pair.blockVrrp('b');
    const tDual = await pb.waitFor(/\(VI_1\) Entering MASTER STATE/, 5000, t0);
    // a keeps receiving b's lower-priority adverts and "forces a new election" b never hears.
    await pa.waitFor(/\(VI_1\) Received advert from .* with lower priority 100, ours 150, forcing new election/, 3000, tDual);
    const tA = await pa.waitFor(/\(VI_1\) split brain detected: .*adverts: \S+ keeps advertising VRID as MASTER at priority 100/, DETECT_BOUND_MS, tDual);
    assert.ok(tA - tDual <= DETECT_BOUND_MS);
    await pb.waitFor(/\(VI_1\) split brain detected: ARP probe: /, DETECT_BOUND_MS, tDual);
    assert.deepEqual(await pair.holders(), ['a', 'b'], 'alert only');
    // Healing: b hears a (higher priority) and steps down; a reports it over and re-announces.
    const tHeal = performance.now();
    await pair.unblockVrrp('b');
    await pb.waitFor(/\(VI_1\) Entering BACKUP STATE/, 3000, tHeal);
    await pa.waitFor(/\(VI_1\) split brain resolved: re-sending gratuitous ARPs/, 6000, tHeal);
    await until(async () => (await pair.clientArp()) === macA, 3000, "the client's ARP entry back on a");
    await until(() => lastAnswer(client.samples(), tHeal) === 'a', 3000, 'the client answered by a');
    assert.deepEqual(await pair.holders(), ['a']);
  } finally {
    await pair.destroy();
  }
});

test('IPv6 VIP: split brain seen by the ND probe and the status channel over IPv6; yield leaves one holder the client follows', { skip, timeout: 60_000 }, async () => {
  const pair = await createPair('s6');
  const dir = mkdtempSync(join(tmpdir(), 'haldir-sb-'));
  try {
    const vip6 = `${pair.lan.nodes.a!.ip6.replace(/::[0-9a-f]+$/, '')}::100`;
    const hook = notifyScript(dir);
    const inst = { name: 'VI_6', vrid: 64, version: 3 as const, advertInt: 0.1, vips: [`${vip6}/64`] };
    const pa = startHaldir(pair.lan, 'a', pairCf('lbA', splitBrainGlobals(pair, 'a', 'b', 'yield', hook.path, true), [{ ...inst, priority: 150, state: 'MASTER' }]));
    const pb = startHaldir(pair.lan, 'b', pairCf('lbB', splitBrainGlobals(pair, 'b', 'a', 'yield', hook.path, true), [{ ...inst, priority: 100 }]));
    pair.peers.push(pa, pb);
    await pa.waitFor(/\(VI_6\) Entering MASTER STATE/, 8000);
    await pb.waitFor(/\(VI_6\) Entering BACKUP STATE/, 8000);
    await until(async () => (await pair.holders(vip6)).join() === 'a', 5000, 'the VIP on a only');
    const client = pair.client(vip6);
    await until(() => lastAnswer(client.samples()) === 'a', 5000, 'the client reaching a over IPv6');
    const macA = await pair.mac('a');
    const t0 = performance.now();
    await pair.blockVrrp('a');
    await pair.blockVrrp('b');
    const tDual = await pb.waitFor(/\(VI_6\) Entering MASTER STATE/, 5000, t0);
    const tB = await pb.waitFor(/\(VI_6\) split brain detected: .*(ND probe: \S+ is also answered by|status channel: peer \[)/, DETECT_BOUND_MS + 1000, tDual);
    assert.ok(tB - tDual <= DETECT_BOUND_MS, `b detected after ${(tB - tDual).toFixed(0)} ms`);
    await pb.waitFor(/\(VI_6\) Entering FAULT STATE/, 3000, tDual);
    await until(async () => (await pair.holders(vip6)).join() === 'a', 3000, 'exactly one holder (a)');
    await until(async () => (await pair.clientArp(vip6)) === macA, 5000, "the client's neighbour entry on a");
    await until(() => lastAnswer(client.samples(), performance.timeOrigin + tB) === 'a', 5000, 'the client answered by a');
    const tHeal = performance.now();
    await pair.unblockVrrp('a');
    await pair.unblockVrrp('b');
    await pb.waitFor(/\(VI_6\) Entering BACKUP STATE/, 8000, tHeal);
    assert.deepEqual(await pair.holders(vip6), ['a']);
  } finally {
    await pair.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
