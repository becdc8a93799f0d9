// The daemon commands of `haldir` (start, stop, restart, try-restart, reload,
// force-reload, status [-v]), as ldirectord's ld_init runs them, plus the running
// daemon's process wiring: log sink, table backend, mailer, signals, pid file, control
// socket, companion instances (`execute`). The CLI (src/cli/haldir.ts) hands us a
// parsed command and config through setDaemonRunner.
import { hostname as osHostname } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import type { CliIo, DaemonInvocation } from '../cli/haldir.js';
import { formatHaldirArgs, type DaemonAction } from '../cli/args.js';
import type { Config } from '../config/model.js';
import { loadLdirectordCf } from '../config/load.js';
import { systemClock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { createLogSink, type LogSink } from '../runtime/log-sinks.js';
import { defaultPidFile, controlSocketFor, readPidState, writePidFile, removePidFile } from '../runtime/pidfile.js';
import { execFile } from '../runtime/exec.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { Alerting } from '../alerts/alerting.js';
import { IpvsadmBackend } from '../ipvs/backends/ipvsadm.js';
import { MemoryBackend } from '../ipvs/backends/memory.js';
import type { TableBackend } from '../ipvs/types.js';
import { Director, VERSION, VERSION_STR, type DirectorSnapshot } from './director.js';
import { decideLifecycle, type LifecycleCommand } from './lifecycle.js';
import { isDaemonChild, performAction, spawnDaemon } from './daemonize.js';
import { ControlServer, controlRequest } from '../runtime/control-socket.js';
import { formatStatus } from './status-format.js';
import { runDemo } from './demo.js';

const RUN_DIR_ENV = 'HALDIR_RUNDIR';
/** Quiet period (ms) an in-place edit must settle for before autoreload reads it. */
const SETTLE_ENV = 'HALDIR_AUTORELOAD_SETTLE_MS';

/** HALDIR_AUTORELOAD_SETTLE_MS, when it is a whole number of milliseconds up to a minute. */
export function settleMsFrom(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env[SETTLE_ENV];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) > 60_000) throw new Error(`${SETTLE_ENV}=${raw} must be a whole number of milliseconds from 0 to 60000`);
  return Number(raw);
}

export function pidFileFor(inv: DaemonInvocation, env: NodeJS.ProcessEnv): string {
  return inv.command.options.pidfile ?? defaultPidFile(inv.command.configName, env[RUN_DIR_ENV] || '/run');
}

function hostName(env: NodeJS.ProcessEnv): string {
  return env['HOSTNAME'] || osHostname();
}

export async function runDaemon(inv: DaemonInvocation, io: CliIo): Promise<number> {
  const cmd = inv.command;
  if (cmd.action === 'demo') {
    if (!inv.config) return 2;
    return runDemo(inv.config, inv.configPath, io);
  }
  const pidFile = pidFileFor(inv, io.env);
  const action = cmd.action as LifecycleCommand;
  const pid = readPidState(pidFile, 'haldir');
  const decided = decideLifecycle(action, pid, { prog: 'haldir', config: inv.configPath, pidFile });

  if (action === 'status' && cmd.verbose && pid.kind === 'running') {
    io.err(`haldir for ${inv.configPath} is running with pid: ${pid.pid}\n`);
    try {
      const snap = (await controlRequest(controlSocketFor(pidFile), { cmd: 'status' })) as DirectorSnapshot;
      io.out(formatStatus(snap));
      return 0;
    } catch (e) {
      io.err(`haldir: cannot read the daemon's state from ${controlSocketFor(pidFile)}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 4;
    }
  }

  const outcome = await performAction(decided, pidFile, {
    stdout: io.out,
    stderr: io.err,
    log: () => {},
  });
  if (outcome.kind === 'done') return outcome.code;

  // start (or the second half of restart)
  if (!inv.config) {
    io.err(`haldir: ${inv.configPath} has errors; not starting\n`);
    return 2;
  }
  const foreground = cmd.options.debug || inv.config.global.supervised || isDaemonChild(io.env);
  if (!foreground) {
    // Re-run this command detached; the child writes the pid file when it is up. The
    // child is told `start`: what is left of restart/try-restart once the old daemon has
    // gone (as the old command word, try-restart would find nothing running and exit).
    const argv = [process.argv[1] ?? 'haldir', ...formatHaldirArgs(cmd.options, cmd.configGiven ? cmd.config : undefined, 'start')];
    const r = await spawnDaemon(argv, pidFile, { program: 'haldir' });
    if (r.code !== 0) io.err(`haldir: the daemon did not start (exit ${r.code}); see the log (${inv.config.global.logfile})\n`);
    return r.code;
  }
  const writePid = isDaemonChild(io.env) || cmd.options.pidfile !== undefined;
  return runForeground(inv, inv.config, io, writePid ? pidFile : undefined, pidFile);
}

/**
 * Which ipvsadm to run, as ldirectord picks it (L913): with -d an executable ./ipvsadm
 * in the current directory wins (so a stand-in can record what it is asked), then
 * /sbin/ipvsadm, then /usr/sbin/ipvsadm. --ipvsadm PATH overrides all of that.
 */
export function ipvsadmPath(given: string | undefined, debug: boolean, exists: (p: string) => boolean = existsSync): string {
  if (given) return given;
  if (debug && exists('./ipvsadm')) return resolvePath('./ipvsadm');
  if (exists('/sbin/ipvsadm')) return '/sbin/ipvsadm';
  return '/usr/sbin/ipvsadm';
}

function makeBackend(inv: DaemonInvocation, logger: Logger): { backend: TableBackend; label: string } {
  const o = inv.command.options;
  if (o.backend === 'memory') {
    return { backend: new MemoryBackend({ log: (l) => logger.info(l) }), label: 'memory' };
  }
  const binary = ipvsadmPath(o.ipvsadm, o.debug);
  const real = new IpvsadmBackend({ binary });
  if (!o.dryRun) return { backend: real, label: `ipvsadm (${binary})` };
  // --dry-run: read the kernel's table once, then only say what would be run
  let seeded: MemoryBackend | undefined;
  const lazy: TableBackend = {
    async read() {
      if (!seeded) seeded = new MemoryBackend({ initial: await real.read(), log: (l) => logger.info(`dry-run: would run ${l}`) });
      return seeded.read();
    },
    async apply(ops) {
      if (!seeded) await lazy.read();
      return seeded!.apply(ops);
    },
  };
  return { backend: lazy, label: 'dry-run' };
}

function companionArgv(inv: DaemonInvocation, other: string, action: DaemonAction): string[] {
  const { backend, ipvsadm, dryRun } = inv.command.options;
  return [process.argv[1] ?? 'haldir', ...formatHaldirArgs({ backend, ipvsadm, dryRun }, other, action)];
}

async function runCompanions(inv: DaemonInvocation, names: readonly string[], action: DaemonAction, logger: Logger): Promise<void> {
  // ld_cmd_children: `ldirectord OTHER start|stop|reload`, one after the other
  for (const other of names) {
    const r = await execFile([process.execPath, ...companionArgv(inv, other, action)], { timeoutMs: 60000 });
    if (r.code !== 0) logger.warn(`execute ${other} ${action} exited ${r.code ?? r.signal}${r.stderr ? `: ${r.stderr.trim()}` : ''}`);
  }
}

async function runForeground(
  inv: DaemonInvocation,
  config: Config,
  io: CliIo,
  pidFile: string | undefined,
  socketBase: string,
): Promise<number> {
  const host = hostName(io.env);
  let sink: LogSink;
  try {
    sink = createLogSink({
      logfile: config.global.logfile,
      supervised: config.global.supervised && !isDaemonChild(io.env),
      configFile: basename(inv.configPath),
      foreground: inv.command.options.debug,
      ident: 'haldir',
      env: io.env,
    });
  } catch (e) {
    io.err(`haldir: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const logger: Logger = sink;
  const pid = io.pid;
  logger.info(`Invoking haldir invoked as: haldir ${process.argv.slice(2).join(' ')}`);
  // ldirectord: "Starting Linux Director v1.186-ha with pid: N" (foreground) or "... as daemon"
  logger.info(
    isDaemonChild(io.env)
      ? `Starting ${VERSION_STR} as daemon (haldir ${VERSION}, pid ${pid})`
      : `Starting ${VERSION_STR} with pid: ${pid} (haldir ${VERSION})`,
  );
  // The command line printed these to stderr already; a detached daemon's stderr leads
  // nowhere, so the log gets them too (a readable secret, AUTH in clear text, ...).
  for (const d of inv.parse.diagnostics) if (d.severity === 'warning') logger.warn(formatDiagnostic(d));
  let configSettleMs: number | undefined;
  try {
    configSettleMs = settleMsFrom(io.env);
  } catch (e) {
    logger.error(`haldir: ${e instanceof Error ? e.message : String(e)}`);
    io.err(`haldir: ${e instanceof Error ? e.message : String(e)}\n`);
    await sink.close();
    return 1;
  }
  const { backend, label } = makeBackend(inv, logger);
  logger.debug(`table backend: ${label}`);
  const alerting = new Alerting(config, { clock: systemClock(), logger, hostname: host });
  let text: string | undefined;
  try {
    text = readFileSync(inv.configPath, 'utf8');
  } catch {
    text = undefined;
  }
  const director = new Director({
    configPath: inv.configPath,
    config,
    load: (p) => loadLdirectordCf(p, { debug: inv.command.options.debug }),
    backend,
    clock: systemClock(),
    logger,
    alerting,
    hostname: host,
    pid,
    configSettleMs,
  });

  const control = new ControlServer(controlSocketFor(socketBase), (req) => {
    const snap = director.snapshot();
    if (req.cmd === 'dump') dumpState(snap, logger);
    return snap;
  });

  let stopping = false;
  let exitCode = 0;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => (resolveDone = r));
  let companions = [...config.global.execute];

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    try {
      await runCompanions(inv, companions, 'stop', logger);
      await director.stop();
      await control.close();
      const r = await alerting.stop(5000);
      if (r.undelivered > 0) logger.warn(`${r.undelivered} alert mail(s) could not be delivered before exit`);
    } catch (e) {
      logger.error(`error while stopping: ${e instanceof Error ? e.message : String(e)}`);
      exitCode = 1;
    }
    logger.info(`Linux Director Daemon terminated on signal: ${signal}`);
    if (pidFile) removePidFile(pidFile, pid);
    await sink.close();
    resolveDone();
  };

  process.on('SIGTERM', () => void stop('TERM'));
  process.on('SIGINT', () => void stop('INT'));
  process.on('SIGQUIT', () => void stop('QUIT'));
  process.on('SIGPIPE', () => {});
  process.on('SIGHUP', () => {
    if (stopping) return;
    sink.reopen();
    void director.reloadOnSignal().then(async (ok) => {
      if (!ok) return;
      const next = director.currentConfig.global.execute;
      const removed = companions.filter((c) => !next.includes(c));
      const kept = next.filter((c) => companions.includes(c));
      const added = next.filter((c) => !companions.includes(c));
      companions = [...next];
      await runCompanions(inv, removed, 'stop', logger);
      await runCompanions(inv, kept, 'reload', logger);
      await runCompanions(inv, added, 'start', logger);
    });
  });
  process.on('SIGUSR1', () => dumpState(director.snapshot(), logger));

  try {
    await director.start(text);
    await control.listen().catch((e: unknown) => logger.warn(`control socket ${controlSocketFor(socketBase)} unavailable: ${e instanceof Error ? e.message : String(e)}; status -v will not work`));
    if (pidFile) writePidFile(pidFile, pid);
    await runCompanions(inv, companions, 'start', logger);
  } catch (e) {
    logger.error(`haldir could not start: ${e instanceof Error ? e.message : String(e)}`);
    await director.stop().catch(() => {});
    await control.close().catch(() => {});
    if (pidFile) removePidFile(pidFile, pid);
    return 1;
  }
  await done;
  return exitCode;
}

/** SIGUSR1: every virtual, real, health and last check result into the log. */
export function dumpState(snap: DirectorSnapshot, logger: Logger): void {
  logger.info(`State dump (pid ${snap.pid}, config ${snap.config}, status ${snap.status})`);
  for (const line of formatStatus(snap).trimEnd().split('\n')) logger.info(line);
}

