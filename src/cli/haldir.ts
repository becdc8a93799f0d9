#!/usr/bin/env node
// haldir: the ldirectord-compatible command. This file only wires argv to the config
// engine and to the daemon; the daemon commands go through runDaemonCommand, the one
// place where src/director plugs in.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseHaldirArgs, USAGE, type HaldirCommand } from './args.js';
import { loadLdirectordCf } from '../config/load.js';
import { findConfigFile, DEFAULT_CONFDIR } from '../config/lookup.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { defaultPidFile, readPidState } from '../runtime/pidfile.js';
import type { Config, Diagnostic, ParseResult } from '../config/model.js';

export const VERSION = '0.1.0';
export const VERSION_TEXT = `haldir ${VERSION} (ldirectord-compatible: Linux Director v1.186-ha)
ldirectord: 1999-2006 Jacob Rief, Horms and others; haldir: the haldir authors

haldir comes with ABSOLUTELY NO WARRANTY.
This is free software, and you are welcome to redistribute it
under certain conditions. See the GNU General Public Licence for details.
`;

export interface CliIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly pid: number;
}

export type DaemonCommand = Extract<HaldirCommand, { kind: 'daemon' }>;

/** What a daemon command gets: the command, the config path found, and its parse (config undefined when broken: stop/status only). */
export interface DaemonInvocation {
  readonly command: DaemonCommand;
  readonly configPath: string;
  readonly parse: ParseResult;
  readonly config: Config | undefined;
}

export type DaemonRunner = (inv: DaemonInvocation, io: CliIo) => Promise<number>;

/** The switch the director replaces: until then every daemon command says so and exits 1. */
let daemonRunner: DaemonRunner = async (inv, io) => {
  io.err(`haldir: ${inv.command.action}: not implemented yet\n`);
  return 1;
};

export function setDaemonRunner(fn: DaemonRunner): void {
  daemonRunner = fn;
}

export function runDaemonCommand(inv: DaemonInvocation, io: CliIo): Promise<number> {
  return daemonRunner(inv, io);
}

function confDir(env: NodeJS.ProcessEnv): string {
  return env['HALDIR_CONFDIR'] || DEFAULT_CONFDIR;
}

/** ldirectord's config_error / config_warn text: `Error [PID] reading file X at line N: MSG`. */
export function ldirectordStyle(d: Diagnostic, pid: number): string {
  const prefix = d.severity === 'error' ? 'Error' : d.severity === 'warning' ? 'Warning' : 'Note';
  const at = d.line > 0 ? ` reading file ${d.file} at line ${d.line}` : '';
  return `${prefix} [${pid}]${at}: ${d.message} [${d.code}]`;
}

function summary(path: string, r: ParseResult): string {
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = r.diagnostics.filter((d) => d.severity === 'warning').length;
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (r.config) {
    const reals = r.config.virtuals.reduce((n, v) => n + v.reals.length, 0);
    const w = warnings ? `, ${plural(warnings, 'warning')}` : '';
    return `${path}: ok (${plural(r.config.virtuals.length, 'virtual service')}, ${plural(reals, 'real server')}${w})`;
  }
  return `${path}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}; the configuration is not valid`;
}

async function configtest(cmd: Extract<HaldirCommand, { kind: 'configtest' }>, io: CliIo): Promise<number> {
  const path = findConfigFile(cmd.config, confDir(io.env));
  if (!path) {
    io.err(`Config file ${cmd.config} not found\n`);
    return 1;
  }
  const r = await loadLdirectordCf(path, { debug: cmd.options.debug });
  for (const d of r.diagnostics) io.err(formatDiagnostic(d) + '\n');
  if (cmd.json) {
    if (r.config) io.out(JSON.stringify(r.config, null, 2) + '\n');
    io.err(summary(path, r) + '\n');
  } else {
    io.out(summary(path, r) + '\n');
  }
  return r.config ? 0 : 1;
}

function demoConfig(): string {
  // dist/src/cli/haldir.js -> <package>/etc/demo.cf
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', '..', 'etc', 'demo.cf');
}

async function daemon(cmd: DaemonCommand, io: CliIo): Promise<number> {
  const wanted = cmd.action === 'demo' && !cmd.configGiven ? demoConfig() : cmd.config;
  const path = findConfigFile(wanted, confDir(io.env));
  if (!path) {
    io.err(`Config file ${wanted} not found\n`);
    return 1;
  }
  const r = await loadLdirectordCf(path, { debug: cmd.options.debug });
  // Deliberate fix (README, "Differences from ldirectord"): stop and status of a *running* daemon work from the
  // pid file even when the config on disk is broken (only a warning). With no daemon
  // running there is nothing to spare, so they fail like ldirectord (exit 2), which keeps
  // `haldir FILE status` usable as ldirectord's config check.
  const running = readPidState(cmd.options.pidfile ?? defaultPidFile(cmd.configName, io.env['HALDIR_RUNDIR'] || '/run'), 'haldir').kind === 'running';
  const onlyWarn = (cmd.action === 'stop' || cmd.action === 'status') && running;
  for (const d of r.diagnostics) {
    io.err(ldirectordStyle(onlyWarn && d.severity === 'error' ? { ...d, severity: 'warning' } : d, io.pid) + '\n');
  }
  if (!r.config) {
    if (!onlyWarn) return 2;
    io.err(`haldir: ${path} has errors; continuing with ${cmd.action} anyway\n`);
  }
  return runDaemonCommand({ command: cmd, configPath: path, parse: r, config: r.config }, io);
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const cmd = parseHaldirArgs(argv);
  switch (cmd.kind) {
    case 'help':
      io.out(USAGE);
      return 0;
    case 'version':
      io.out(VERSION_TEXT);
      return 0;
    case 'usage':
      io.err(`haldir: ${cmd.message}\n${USAGE}`);
      return 255;
    case 'configtest':
      return configtest(cmd, io);
    case 'daemon':
      return daemon(cmd, io);
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  // the daemon commands live in src/director (imported only when run as the program,
  // so tests of the CLI's pure parts do not load the whole director)
  const { runDaemon } = await import('../director/daemon-main.js');
  setDaemonRunner(runDaemon);
  const io: CliIo = {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    env: process.env,
    pid: process.pid,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`haldir: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
