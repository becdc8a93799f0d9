// The built `haldir` daemon with the stand-in ipvsadm, for check tests that must see the
// whole process: whether it stays responsive (status -v), what reaches the table.
// Everything here is asynchronous: the real servers of the test live in the test
// process, and a spawnSync would stop them answering while it waits.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseList } from '../../src/ipvs/ipvsadm-text.js';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist/src/cli/haldir.js');
const standin = join(root, 'test/fixtures/bin/ipvsadm');

export interface Daemon {
  readonly dir: string;
  readonly cfg: string;
  readonly log: string;
  /** Runs the CLI (start, status -v...) against this daemon; `timeoutMs` bounds the call. */
  cli(args: readonly string[], timeoutMs?: number): Promise<CliResult>;
  /** "ADDR:PORT" -> weight of every real in the stand-in's table. */
  reals(): Promise<Map<string, number>>;
  logText(): string;
  stop(): void;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function runAsync(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<CliResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(file, args, { env, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

export async function startDaemon(configLines: (log: string) => string[]): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-checkd-'));
  const cfg = join(dir, 'ldirectord.cf');
  const pid = join(dir, 'haldir.pid');
  const log = join(dir, 'haldir.log');
  const env = { ...process.env, IPVSADM_STATE: join(dir, 'state.json'), HALDIR_CONFDIR: join(dir, 'none') };
  writeFileSync(cfg, `${configLines(log).join('\n')}\n`);
  const run = (args: readonly string[], timeoutMs = 30_000): Promise<CliResult> =>
    runAsync(process.execPath, [cli, '--ipvsadm', standin, '--pidfile', pid, cfg, ...args], env, timeoutMs);
  const started = await run(['start']);
  assert.equal(started.code, 0, started.stderr);
  return {
    dir,
    cfg,
    log,
    cli: run,
    reals: async () => {
      const r = await runAsync(standin, ['-L', '-n'], env, 30_000);
      assert.equal(r.code, 0, r.stderr);
      const out = new Map<string, number>();
      for (const s of parseList(r.stdout).services) for (const d of s.destinations) out.set(`${d.address}:${d.port}`, d.weight);
      return out;
    },
    logText: () => (existsSync(log) ? readFileSync(log, 'utf8') : ''),
    stop: () => {
      if (existsSync(pid)) {
        try {
          process.kill(Number(readFileSync(pid, 'utf8').trim()), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
