// `haldir demo` (the README's quick start, `npm start`): the director on etc/demo.cf with
// the memory backend and real HTTP servers it starts itself on loopback addresses, no
// root needed. It prints the live table, takes one real server down and up again, then
// all of them down (the fallback takes over) and one back, and exits.
import type { CliIo } from '../cli/haldir.js';
import type { Config } from '../config/model.js';
import { MemoryBackend } from '../ipvs/backends/memory.js';
import { renderList } from '../ipvs/ipvsadm-text.js';
import { systemClock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { createServer, type Server } from 'node:http';
import { loadLdirectordCf } from '../config/load.js';
import { Director } from './director.js';

interface DemoServer {
  readonly host: string;
  readonly port: number;
  server: Server | undefined;
}

async function startServer(s: DemoServer): Promise<void> {
  const srv = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
    res.end(`OK from ${s.host}:${s.port}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(s.port, s.host, () => resolve());
  });
  s.server = srv;
}

async function stopServer(s: DemoServer): Promise<void> {
  const srv = s.server;
  s.server = undefined;
  if (!srv) return;
  srv.closeAllConnections();
  await new Promise<void>((r) => srv.close(() => r()));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDemo(config: Config, configPath: string, io: CliIo, opts: { pauseMs?: number } = {}): Promise<number> {
  const pause = opts.pauseMs ?? Number(io.env['HALDIR_DEMO_PAUSE_MS'] ?? 4000);
  const clock = systemClock();
  const t0 = Date.now();
  const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`;
  const logger: Logger = {
    debug: () => {},
    info: (m) => io.out(`${stamp()} ${m}\n`),
    warn: (m) => io.out(`${stamp()} warning: ${m}\n`),
    error: (m) => io.out(`${stamp()} error: ${m}\n`),
  };
  const servers: DemoServer[] = [];
  for (const v of config.virtuals) {
    for (const r of v.reals) {
      if (!servers.some((s) => s.host === r.address && s.port === r.port)) servers.push({ host: r.address, port: r.port, server: undefined });
    }
  }
  const nonLoopback = servers.filter((s) => !s.host.startsWith('127.') && s.host !== '::1');
  if (nonLoopback.length > 0) {
    io.err(`haldir demo: ${configPath} names real servers outside loopback (${nonLoopback.map((s) => s.host).join(', ')}); the demo only starts servers on 127.0.0.0/8\n`);
    return 1;
  }
  io.out(`haldir demo: ${configPath}, memory backend (no root, no kernel changes), ${servers.length} HTTP real servers on loopback\n`);
  for (const s of servers) await startServer(s);
  const backend = new MemoryBackend({ log: (l) => io.out(`${stamp()}   ${l}\n`) });
  const director = new Director({
    configPath,
    config,
    load: (p) => loadLdirectordCf(p),
    backend,
    clock,
    logger,
    hostname: 'haldir-demo',
    pid: io.pid,
    driftRepairMs: 0,
    watchConfig: true,
  });
  const show = async (title: string) => {
    await director.settled();
    io.out(`\n${stamp()} == ${title} ==\n${renderList(await backend.read())}\n`);
  };
  const interval = Math.max(...config.virtuals.map((v) => v.checkinterval), 1) * 1000;
  const settle = () => sleep(interval * 2 + 1500);
  try {
    await director.start();
    await settle();
    await show('all real servers up');
    await sleep(pause);
    const victim = servers[0]!;
    io.out(`${stamp()} >> stopping the real server ${victim.host}:${victim.port}\n`);
    await stopServer(victim);
    await settle();
    await show(`${victim.host}:${victim.port} is down`);
    await sleep(pause);
    io.out(`${stamp()} >> starting ${victim.host}:${victim.port} again\n`);
    await startServer(victim);
    await settle();
    await show(`${victim.host}:${victim.port} is back`);
    await sleep(pause);
    io.out(`${stamp()} >> stopping every real server\n`);
    for (const s of servers) await stopServer(s);
    await settle();
    await show('every real server down: the fallback takes over');
    await sleep(pause);
    io.out(`${stamp()} >> starting ${victim.host}:${victim.port} again\n`);
    await startServer(victim);
    await settle();
    await show('one real server back: the fallback steps aside');
    io.out(`${stamp()} demo finished; stopping\n`);
    return 0;
  } finally {
    await director.stop();
    for (const s of servers) await stopServer(s);
  }
}
