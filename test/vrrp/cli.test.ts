// Privileged: the haldir-vrrp command line as an operator uses it, in a namespace:
// background start, status -v, reload (a VIP added, no failover), stop (priority 0,
// VIPs removed, pid file gone), and configtest refusing a broken file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLan, isRoot, rootSkipReason } from '../helpers/netns/lan.js';
import { vrrpCf } from './helpers/peers.js';

const run = promisify(execFile);
const skip = isRoot() ? false : rootSkipReason;
const CLI = new URL('../../src/cli/haldir-vrrp.js', import.meta.url).pathname;

test('start (background), status -v, reload without failover, stop', { skip }, async () => {
  const lan = await createLan(['a'], { label: 'vc' });
  const dir = mkdtempSync(join(tmpdir(), 'haldir-vrrp-cli-'));
  const cf = join(dir, 'vrrp.cf');
  const pid = join(dir, 'hv.pid');
  const cli = (...args: string[]) =>
    run('ip', ['netns', 'exec', lan.nodes.a!.ns, process.execPath, CLI, '--pidfile', pid, cf, ...args], { timeout: 20_000 }).then(
      (r) => ({ code: 0, out: String(r.stdout), err: String(r.stderr) }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: String(e.stdout ?? ''), err: String(e.stderr ?? '') }),
    );
  const vip1 = `${lan.subnet4}.100`;
  const vip2 = `${lan.subnet4}.101`;
  const spec = { vrid: 71, version: 3 as const, advertInt: 0.1, priority: 200, vips: [`${vip1}/24`] };
  const waitFor = async (cond: () => Promise<boolean>, ms: number, what: string) => {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    // A start that cannot work (no such interface) is reported, not claimed.
    writeFileSync(cf, vrrpCf(spec, 'cli').replace('interface = eth0', 'interface = nope0'));
    const failed = await cli('start');
    assert.equal(failed.code, 1);
    assert.match(failed.err, /failed to start/);
    writeFileSync(cf, vrrpCf(spec, 'cli'));
    assert.equal((await cli('status')).code, 3, 'stopped: LSB exit 3');
    const s = await cli('start');
    assert.equal(s.code, 0, s.err);
    await waitFor(async () => (await lan.addresses('a')).includes(vip1), 5000, 'VIP after start');
    const st = await cli('status', '-v');
    assert.equal(st.code, 0, st.err);
    assert.match(st.out, /VI_1\s+MASTER\s+200\s+200\s+71\s+eth0/);
    const again = await cli('start');
    assert.equal(again.code, 1);
    assert.match(again.err, /already running/);

    // A broken edit is refused by reload and the daemon keeps running unchanged.
    writeFileSync(cf, vrrpCf(spec, 'cli') + 'no_such_directive = 1\n');
    const bad = await cli('reload');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /error\[/);

    writeFileSync(cf, vrrpCf({ ...spec, vips: [`${vip1}/24`, `${vip2}/24`] }, 'cli'));
    const rl = await cli('reload');
    assert.equal(rl.code, 0, rl.err);
    await waitFor(async () => (await lan.addresses('a')).includes(vip2), 5000, 'second VIP after reload');
    const st2 = await cli('status', '-v');
    assert.match(st2.out, /VI_1\s+MASTER/);
    const since = (out: string) => /BACKUP->MASTER (\S+)/.exec(out)?.[1];
    assert.ok(since(st.out));
    assert.equal(since(st2.out), since(st.out), 'no failover on reload: the last transition is still the first takeover');
    assert.ok((await lan.addresses('a')).includes(vip1), 'the unchanged VIP stayed');

    const stop = await cli('stop');
    assert.equal(stop.code, 0, stop.err);
    const addrs = await lan.addresses('a');
    assert.ok(!addrs.includes(vip1) && !addrs.includes(vip2), `VIPs removed on stop: ${addrs.join(' ')}`);
    assert.equal(existsSync(pid), false, 'pid file removed');
    assert.equal((await cli('status')).code, 3);
  } finally {
    await cli('stop');
    await lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('configtest is wired: errors exit 1 with file:line diagnostics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-vrrp-cli-'));
  try {
    const cf = join(dir, 'vrrp.cf');
    writeFileSync(cf, '[vrrp_instance VI_1]\ninterface = eth0\nvirtual_router_id = 300\n');
    const r = await run(process.execPath, [CLI, cf, 'configtest']).then(
      () => ({ code: 0, err: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, err: String(e.stderr) }),
    );
    assert.equal(r.code, 1);
    assert.match(r.err, /vrrp\.cf:\d+(:\d+)?: error\[/);
    const ok = await run(process.execPath, [CLI, cf.replace('vrrp.cf', 'ok.cf'), 'configtest']).catch((e: { code: number }) => e);
    assert.equal((ok as { code: number }).code, 1, 'missing file is an error too');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
