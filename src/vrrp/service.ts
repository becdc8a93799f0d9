// haldir-vrrp's commands (start, stop, status, reload): config loading, pid file,
// signals, the status socket. src/cli/haldir-vrrp.ts only parses argv and calls these.

import { readFileSync, existsSync } from 'node:fs';
import { spawnDaemon, waitUntilStopped } from '../runtime/daemonize.js';
import { basename, resolve as resolvePath } from 'node:path';
import { parseVrrpConfig } from '../vrrp-config/parse.js';
import { formatDiagnostic } from '../vrrp-config/diagnostics.js';
import { fileModeOf } from '../config/secret-file.js';
import type { VrrpConfig } from '../vrrp-config/model.js';
import { controlSocketFor, defaultPidFile, readPidState, removePidFile, writePidFile, type PidProgram } from '../runtime/pidfile.js';
import { createLogSink } from '../runtime/log-sinks.js';
import type { LogSink } from '../runtime/log-sinks.js';
import { systemClock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import { VrrpDaemon } from './daemon.js';
import type { InstanceStatus } from './daemon.js';
import { daemonConfigFrom } from './from-config.js';
import { VrrpTransport } from './transport.js';
import { ipVipOps } from './vip.js';
import { socketGarpSender } from './garp.js';
import { queryStatus, serveStatus } from './control.js';
import type { ControlServer } from '../runtime/control-socket.js';
import type { AlertSink } from './alert.js';
import { VrrpAlerting } from './mail-sink.js';
import { SplitBrain, formatSplitBrainLines } from '../splitbrain/attach.js';
import type { InstanceStatusWithSplitBrain } from '../splitbrain/attach.js';

export const PROGRAM: PidProgram = 'haldir-vrrp';

export interface ServiceOptions {
  configPath: string;
  pidFile?: string;
  foreground: boolean;
  /** Set on the re-executed background child. */
  backgroundChild?: boolean;
  verbose?: boolean;
  alerts?: AlertSink;
  ipPath?: string;
  arpingPath?: string;
  ipvsadmPath?: string;
  out?: (s: string) => void;
  err?: (s: string) => void;
}

export function pidFileFor(o: ServiceOptions): string {
  return o.pidFile ?? defaultPidFile(o.configPath, '/run', PROGRAM);
}

/**
 * Reads and parses vrrp.cf; errors are printed compiler-style and yield undefined.
 * Warnings (a secret others can read, ...) go to `warn` when given.
 */
export function loadConfig(path: string, err: (s: string) => void, warn?: (s: string) => void): VrrpConfig | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    err(`${path}: error[E-FILE]: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})\n`);
    return undefined;
  }
  const r = parseVrrpConfig(text, path, { fileMode: fileModeOf(path) });
  for (const d of r.diagnostics) {
    if (d.severity === 'error' || !r.config) err(formatDiagnostic(d) + '\n');
    else warn?.(formatDiagnostic(d) + '\n');
  }
  return r.config;
}

/**
 * The detached child's command line: always `start`, whatever the parent was asked
 * (restart would otherwise re-run its stop-then-start in the child, which detaches a
 * child of its own, and so on), with the pid file the parent waits for.
 */
export function backgroundChildArgv(script: string, configPath: string, pidFile: string): string[] {
  return [script, '--pidfile', resolvePath(pidFile), '--background-child', resolvePath(configPath), 'start'];
}

const write = (f: ((s: string) => void) | undefined, fallback: NodeJS.WriteStream) => f ?? ((s: string) => void fallback.write(s));

export async function runStart(o: ServiceOptions): Promise<number> {
  const out = write(o.out, process.stdout);
  const err = write(o.err, process.stderr);
  const pidFile = pidFileFor(o);
  const st = readPidState(pidFile, PROGRAM);
  if (st.kind === 'running') {
    err(`${PROGRAM}: already running for ${o.configPath} with pid ${st.pid} (pid file ${pidFile})\n`);
    return 1;
  }
  // The terminal sees the warnings from the command that detaches; the daemon (detached
  // or in the foreground) logs them, once it has its log.
  const detaching = !o.foreground && !o.backgroundChild;
  const warnings: string[] = [];
  const cfg = loadConfig(o.configPath, err, (s) => (detaching ? err(s) : warnings.push(s.trimEnd())));
  if (!cfg) return 1;
  if (detaching) {
    // Detach: re-run ourselves as a session leader with no terminal; logs go to syslog.
    // Report success once the child has written its pid file (its sockets are open); after
    // 10 s without word either way, assume it is still coming up.
    const r = await spawnDaemon(backgroundChildArgv(process.argv[1] ?? PROGRAM, o.configPath, pidFile), pidFile, { timeoutMs: 10_000, program: PROGRAM });
    const started: number | 'ok' = r.code === 0 || r.pid !== undefined ? 'ok' : r.code;
    if (started !== 'ok') {
      err(`${PROGRAM}: failed to start for ${o.configPath} (exit ${started}); see syslog or run with -d\n`);
      return 1;
    }
    out(`Starting ${PROGRAM} for ${basename(o.configPath)}\n`);
    return 0;
  }
  const log: LogSink = createLogSink({
    logfile: 'daemon',
    supervised: false,
    foreground: o.foreground,
    configFile: o.configPath,
    ident: PROGRAM,
  });
  for (const w of warnings) log.warn(w);
  let daemon: VrrpDaemon;
  const clock = systemClock();
  // One alerting path for the process: transition mails (smtp_alert; an injected sink
  // replaces them) and split-brain mails, reconfigured on reload.
  const mail = new VrrpAlerting(cfg.global, { clock, log });
  const alerts: AlertSink = o.alerts ?? mail;
  // Split-brain detection (src/splitbrain/): probes, reactions, status_listen.
  const splitBrain = new SplitBrain(cfg, {
    clock,
    log,
    garp: socketGarpSender(log),
    arpingPath: o.arpingPath,
    send: (m) => mail.sendMessage(m),
    intervalMs: Number(process.env.HALDIR_VRRP_SPLIT_BRAIN_INTERVAL_MS) || undefined,
  });
  try {
    daemon = new VrrpDaemon(daemonConfigFrom(cfg), {
      clock,
      log,
      openPort: (spec) => new VrrpTransport({ family: spec.family, ifname: spec.ifname, primaryIp: spec.primaryIp, multicast: spec.multicast, group: spec.group }),
      vips: ipVipOps(log, o.ipPath),
      garp: socketGarpSender(log),
      alerts,
      ipvsadmPath: o.ipvsadmPath,
      observer: splitBrain.observer,
    });
    // status_listen first: a port that cannot be bound stops the start before any VIP moves.
    await splitBrain.listen();
    writePidFile(pidFile);
    log.info(`Starting VRRP child process, pid=${process.pid}`);
    daemon.start();
    splitBrain.start(daemon);
  } catch (e) {
    log.error((e as Error).message);
    err(`${(e as Error).message}\n`);
    splitBrain.stop();
    await mail.stop(0);
    removePidFile(pidFile);
    await log.close();
    return 1;
  }
  let server: ControlServer | undefined;
  const sock = controlSocketFor(pidFile);
  try {
    server = await serveStatus(sock, () => ({ pid: process.pid, config: o.configPath, instances: splitBrain.decorate(daemon.status()) }));
  } catch (e) {
    log.warn(`VRRP-STATUS: cannot serve ${sock}: ${(e as Error).message}; status -v will not work`);
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (sig: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      log.info(`Stopping (${sig})`);
      await daemon.shutdown();
      splitBrain.stop();
      await mail.stop(5000);
      void server?.close();
      removePidFile(pidFile);
      log.info('Stopped');
      await log.close();
      resolve(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGHUP', () => {
      log.info('Reloading configuration (SIGHUP)');
      const next = loadConfig(o.configPath, (s) => log.error(s.trimEnd()));
      if (!next) {
        log.error(`VRRP-RELOAD: ${o.configPath} has errors; keeping the running configuration`);
        return;
      }
      try {
        daemon.reload(daemonConfigFrom(next));
        void splitBrain.reload(next);
        mail.reconfigure(next.global);
      } catch (e) {
        log.error(`VRRP-RELOAD: ${(e as Error).message}; keeping the running configuration`);
      }
    });
  });
}

export async function runStop(o: ServiceOptions): Promise<number> {
  const out = write(o.out, process.stdout);
  const pidFile = pidFileFor(o);
  const st = readPidState(pidFile, PROGRAM);
  if (st.kind !== 'running') {
    out(`${PROGRAM} is not running for ${o.configPath}\n`);
    if (st.kind === 'stale') removePidFile(pidFile, st.pid ?? -1);
    return 0;
  }
  process.kill(st.pid, 'SIGTERM');
  if (await waitUntilStopped(pidFile, PROGRAM, 10_000)) {
    out(`Stopped ${PROGRAM} for ${basename(o.configPath)} (pid ${st.pid})\n`);
    return 0;
  }
  write(o.err, process.stderr)(`${PROGRAM}: pid ${st.pid} did not exit within 10 s\n`);
  return 1;
}

export async function runReload(o: ServiceOptions): Promise<number> {
  const err = write(o.err, process.stderr);
  if (!loadConfig(o.configPath, err)) {
    err(`${PROGRAM}: not reloading: fix the errors above first\n`);
    return 1;
  }
  const st = readPidState(pidFileFor(o), PROGRAM);
  if (st.kind !== 'running') {
    err(`${PROGRAM} is not running for ${o.configPath}\n`);
    return 7;
  }
  process.kill(st.pid, 'SIGHUP');
  write(o.out, process.stdout)(`Reloading ${PROGRAM} for ${basename(o.configPath)} (pid ${st.pid})\n`);
  return 0;
}

export function formatStatusTable(instances: readonly InstanceStatus[]): string {
  const rows = [['INSTANCE', 'STATE', 'PRIO', 'EFF', 'VRID', 'IFACE', 'MASTER', 'LAST TRANSITION', 'DROPS']];
  for (const i of instances) {
    const drops = Object.entries(i.drops).map(([k, v]) => `${k}=${v}`).join(',') || '-';
    const lt = i.lastTransition ? `${i.lastTransition.from}->${i.lastTransition.to} ${i.lastTransition.at}` : '-';
    rows.push([i.name, i.state, String(i.priority), String(i.effectivePriority), String(i.vrid), i.interface, i.master ?? '-', lt, drops]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

export async function runStatus(o: ServiceOptions): Promise<number> {
  const out = write(o.out, process.stdout);
  const pidFile = pidFileFor(o);
  const st = readPidState(pidFile, PROGRAM);
  if (st.kind !== 'running') {
    out(`${PROGRAM} is stopped for ${o.configPath}\n`);
    return 3;
  }
  out(`${PROGRAM} for ${o.configPath} is running with pid: ${st.pid}\n`);
  if (o.verbose) {
    try {
      const s = (await queryStatus(controlSocketFor(pidFile))) as { instances: InstanceStatusWithSplitBrain[] };
      out(formatStatusTable(s.instances));
      out(formatSplitBrainLines(s.instances));
    } catch (e) {
      write(o.err, process.stderr)(`${(e as Error).message}\n`);
      return 1;
    }
  }
  return 0;
}

export type { Logger };
