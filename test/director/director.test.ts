// The whole director on real loopback HTTP servers with the memory backend: reals going
// down and up (quiescent yes/no), all down -> fallback -> one back, reload with health
// carried over, a rejected bad reload, drift repair, restart adopting the table, stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Director } from '../../src/director/director.js';
import { parseLdirectordCf } from '../../src/config/parse.js';
import { staticResolver } from '../../src/config/resolver.js';
import type { Config } from '../../src/config/model.js';
import { MemoryBackend } from '../../src/ipvs/backends/memory.js';
import { renderList } from '../../src/ipvs/ipvsadm-text.js';
import type { IpvsTable } from '../../src/ipvs/types.js';
import { systemClock } from '../../src/runtime/clock.js';
import { MemoryLogger } from '../../src/runtime/logger.js';
import { HttpReal, freePortOn, waitUntil } from '../helpers/http-reals.js';

const resolver = staticResolver({ hostname: 'director-test' });

function parse(text: string, file: string): Config {
  const r = parseLdirectordCf(text, { file, resolver, debug: true });
  assert.ok(r.config, `config must parse: ${r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('; ')}`);
  return r.config;
}

function weights(table: IpvsTable, vip: string, vport: number): Map<string, number> {
  const svc = table.services.find((s) => s.key.address === vip && s.key.port === vport);
  return new Map((svc?.destinations ?? []).map((d) => [`${d.address}:${d.port}`, d.weight]));
}

interface Rig {
  dir: string;
  file: string;
  reals: HttpReal[];
  port: number;
  backend: MemoryBackend;
  logger: MemoryLogger;
  director: Director;
  cleanup(): Promise<void>;
}

async function rig(opts: { quiescent: boolean; extra?: string; backend?: MemoryBackend; hosts?: string[]; port?: number }): Promise<Rig> {
  const hosts = opts.hosts ?? ['127.0.31.1', '127.0.31.2', '127.0.31.3'];
  const port = opts.port ?? (await freePortOn(hosts));
  const reals = hosts.map((h) => new HttpReal(h, port));
  await Promise.all(reals.map((r) => r.start()));
  const dir = mkdtempSync(join(tmpdir(), 'haldir-director-'));
  const file = join(dir, 'ldirectord.cf');
  const text = cfText(hosts, port, opts.quiescent, opts.extra ?? '');
  writeFileSync(file, text);
  const backend = opts.backend ?? new MemoryBackend();
  const logger = new MemoryLogger();
  const director = new Director({
    configPath: file,
    config: parse(text, file),
    load: async (p) => {
      const { readFileSync } = await import('node:fs');
      return parseLdirectordCf(readFileSync(p, 'utf8'), { file: p, resolver, debug: true });
    },
    backend,
    clock: systemClock(),
    logger,
    hostname: 'director-test',
    pid: process.pid,
    driftRepairMs: 0,
  });
  await director.start(text);
  return {
    dir, file, reals, port, backend, logger, director,
    async cleanup() {
      await director.stop();
      await Promise.all(reals.map((r) => r.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function cfText(hosts: string[], port: number, quiescent: boolean, extra: string): string {
  return [
    'checktimeout=2',
    'negotiatetimeout=2',
    'checkinterval=1',
    `quiescent=${quiescent ? 'yes' : 'no'}`,
    'autoreload=no',
    extra,
    'virtual=10.200.0.1:80',
    ...hosts.map((h) => `\treal=${h}:${port} masq`),
    `\tfallback=127.0.0.1:${port} masq`,
    '\tservice=http',
    '\tscheduler=wrr',
    '\tchecktype=negotiate',
    '\trequest="/"',
    '\treceive="OK"',
    '',
  ].join('\n');
}

test('reals going down and up with quiescent=no; all down -> fallback -> one back', async () => {
  const r = await rig({ quiescent: false });
  try {
    const key = (h: string) => `${h}:${r.port}`;
    const table = async () => weights(await r.backend.read(), '10.200.0.1', 80);
    await waitUntil(async () => (await table()).size === 3, 15000, 'three reals added');
    assert.deepEqual([...(await table()).values()], [1, 1, 1]);
    // every check has run once: alerts from now on say "running", not "starting"
    await waitUntil(() => r.director.daemonStatus === 'running', 15000, 'daemon status running');
    assert.ok(r.logger.messages().includes(`Added real server: ${key('127.0.31.1')} (10.200.0.1:80) (Weight set to 1)`));

    await r.reals[1]!.stop();
    await waitUntil(async () => !(await table()).has(key('127.0.31.2')), 15000, 'dead real deleted');
    assert.ok(r.logger.messages().includes(`Deleted real server: ${key('127.0.31.2')} (10.200.0.1:80)`));

    await r.reals[0]!.stop();
    await r.reals[2]!.stop();
    await waitUntil(async () => (await table()).has(`127.0.0.1:${r.port}`), 15000, 'fallback added');
    assert.equal((await table()).size, 1);
    assert.ok(r.logger.messages().some((m) => m.startsWith(`Added fallback server: 127.0.0.1:${r.port} (10.200.0.1:80)`)));

    await r.reals[2]!.start();
    await waitUntil(async () => (await table()).has(key('127.0.31.3')), 15000, 'real back');
    await waitUntil(async () => !(await table()).has(`127.0.0.1:${r.port}`), 15000, 'fallback removed');
    assert.ok(r.logger.messages().some((m) => m.startsWith(`Deleted fallback server: 127.0.0.1:${r.port} (10.200.0.1:80)`)));
    // a dead real was never given traffic: no add for 127.0.31.2 after it died
    const adds2 = r.backend.commands.filter((c) => c.includes('-a ') && c.includes(`127.0.31.2:${r.port}`));
    assert.equal(adds2.length, 1, adds2.join('\n'));
  } finally {
    await r.cleanup();
  }
});

test('quiescent=yes keeps a failed real with weight 0 and restores it', async () => {
  const r = await rig({ quiescent: true, hosts: ['127.0.32.1', '127.0.32.2'] });
  try {
    const table = async () => weights(await r.backend.read(), '10.200.0.1', 80);
    await waitUntil(async () => (await table()).size === 2, 15000, 'two reals');
    await r.reals[0]!.stop();
    await waitUntil(async () => (await table()).get(`127.0.32.1:${r.port}`) === 0, 15000, 'quiesced');
    assert.ok(r.logger.messages().some((m) => m.startsWith(`Quiescent real server: 127.0.32.1:${r.port} (10.200.0.1:80)`)));
    await r.reals[0]!.start();
    await waitUntil(async () => (await table()).get(`127.0.32.1:${r.port}`) === 1, 15000, 'restored');
    assert.ok(r.logger.messages().some((m) => m.startsWith(`Restored real server: 127.0.32.1:${r.port} (10.200.0.1:80)`)));
  } finally {
    await r.cleanup();
  }
});

test('reload: added virtual appears, removed goes, health carried over, bad config rejected', async () => {
  const r = await rig({ quiescent: false, hosts: ['127.0.33.1', '127.0.33.2'] });
  try {
    const all = async () => r.backend.read();
    await waitUntil(async () => weights(await all(), '10.200.0.1', 80).size === 2, 15000, 'two reals');
    await r.reals[1]!.stop();
    await waitUntil(async () => weights(await all(), '10.200.0.1', 80).size === 1, 15000, 'dead one removed');
    const before = r.backend.commands.length;
    // new config: the same virtual (unchanged) plus a second one on port 81
    const text = cfText(['127.0.33.1', '127.0.33.2'], r.port, false, '') +
      ['virtual=10.200.0.2:81', `\treal=127.0.33.1:${r.port} masq 3`, '\tservice=http', '\tchecktype=negotiate', ''].join('\n');
    writeFileSync(r.file, text);
    assert.equal(await r.director.reload(), true);
    assert.ok(r.logger.messages().includes('Reloaded configuration: added tcp:10.200.0.2:81'), r.logger.messages().join('\n'));
    await waitUntil(async () => weights(await all(), '10.200.0.2', 81).size === 1, 15000, 'new virtual populated');
    const since = r.backend.commands.slice(before);
    // the known-dead real was not re-added on reload (ldirectord adds it, then deletes it)
    assert.ok(!since.some((c) => c.includes(`-a -t 10.200.0.1:80 -r 127.0.33.2:${r.port}`)), since.join('\n'));
    // the healthy real of the unchanged virtual was not touched
    assert.ok(!since.some((c) => c.includes('10.200.0.1:80') && c.includes(`127.0.33.1:${r.port}`)), since.join('\n'));
    assert.equal(weights(await all(), '10.200.0.2', 81).get(`127.0.33.1:${r.port}`), 3);

    // a broken edit: rejected, table unchanged, diagnostics logged with line numbers
    const snapshot = renderList(await all());
    writeFileSync(r.file, text + 'schedulr=wrr\nvirtual=10.200.0.3:80\n\treal=not..valid gate\n');
    assert.equal(await r.director.reload(), false);
    assert.equal(renderList(await all()), snapshot);
    assert.ok(r.logger.messages().some((m) => /:\d+:\d+: error\[/.test(m)), r.logger.messages().join('\n'));

    // removing the second virtual deletes it
    writeFileSync(r.file, cfText(['127.0.33.1', '127.0.33.2'], r.port, false, ''));
    assert.equal(await r.director.reload(), true);
    assert.equal((await all()).services.some((s) => s.key.address === '10.200.0.2'), false);
  } finally {
    await r.cleanup();
  }
});

test('drift repair restores a table cleared behind our back; cleanstop=yes empties the table', async () => {
  const r = await rig({ quiescent: false, hosts: ['127.0.34.1'] });
  try {
    await waitUntil(async () => weights(await r.backend.read(), '10.200.0.1', 80).size === 1, 15000, 'real added');
    const t = await r.backend.read();
    // someone runs `ipvsadm -C`
    await r.backend.apply(t.services.map((s) => ({ kind: 'delete-service', key: s.key }) as const));
    assert.equal((await r.backend.read()).services.length, 0);
    const repaired = await r.director.repairDrift();
    assert.ok(repaired >= 2, `repaired ${repaired} changes`);
    assert.equal(weights(await r.backend.read(), '10.200.0.1', 80).size, 1);
    assert.ok(r.logger.messages().some((m) => m.includes('drifted')));
    await r.director.stop();
    assert.equal((await r.backend.read()).services.length, 0, 'cleanstop=yes removes the virtual');
  } finally {
    await r.cleanup();
  }
});

test('restart with the table in place touches no healthy real; cleanstop=no leaves the table', async () => {
  const first = await rig({ quiescent: false, hosts: ['127.0.35.1', '127.0.35.2'], extra: 'cleanstop=no' });
  let second: Rig | undefined;
  try {
    await waitUntil(async () => weights(await first.backend.read(), '10.200.0.1', 80).size === 2, 15000, 'two reals');
    await first.director.stop();
    const kept = await first.backend.read();
    assert.equal(weights(kept, '10.200.0.1', 80).size, 2, 'cleanstop=no keeps the table');
    // a new daemon on the same kernel table
    const backend = new MemoryBackend({ initial: kept });
    await Promise.all(first.reals.map((x) => x.stop()));
    second = await rig({ quiescent: false, hosts: ['127.0.35.1', '127.0.35.2'], extra: 'cleanstop=no', backend, port: first.port });
    await new Promise((res) => setTimeout(res, 2500));
    const touching = backend.commands.filter((c) => c.includes(' -r '));
    assert.deepEqual(touching, [], 'no real server command for healthy reals on restart');
    assert.equal(weights(await backend.read(), '10.200.0.1', 80).size, 2);
  } finally {
    await Promise.all(first.reals.map((x) => x.stop()));
    rmSync(first.dir, { recursive: true, force: true });
    if (second) await second.cleanup();
  }
});

test('monitorfile gets one line per check in ldirectord format', async () => {
  const hosts = ['127.0.37.1'];
  const port = await freePortOn(hosts);
  const real = new HttpReal(hosts[0]!, port);
  await real.start();
  const dir = mkdtempSync(join(tmpdir(), 'haldir-monitor-'));
  const monitor = join(dir, 'monitor.log');
  const file = join(dir, 'ldirectord.cf');
  const text = `checkinterval=1\nchecktimeout=2\nvirtual=10.200.0.9:80\n\treal=127.0.37.1:${port} masq\n\treceive="OK"\n\tmonitorfile="${monitor}"\n`;
  writeFileSync(file, text);
  const director = new Director({
    configPath: file,
    config: parse(text, file),
    load: async () => parseLdirectordCf(text, { file, resolver, debug: true }),
    backend: new MemoryBackend(),
    clock: systemClock(),
    logger: new MemoryLogger(),
    hostname: 'director-test',
    pid: 4321,
    driftRepairMs: 0,
    watchConfig: false,
  });
  try {
    await director.start(text);
    const { readFileSync, existsSync } = await import('node:fs');
    await waitUntil(() => existsSync(monitor) && readFileSync(monitor, 'utf8').split('\n').filter(Boolean).length >= 2, 15000, 'two monitor lines');
    const line = readFileSync(monitor, 'utf8').split('\n')[0]!;
    // [localtime] [PID] <check id with ':' as spaces> up|down message
    assert.match(line, /^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] \[4321\] negotiate http tcp 127\.0\.37\.1 /);
    assert.match(line, / \[up\] /);
  } finally {
    await director.stop();
    await real.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
