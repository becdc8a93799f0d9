// A private stand-in ipvsadm world per test: its state file, call log and env.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { standInIpvsadm } from './fixtures.js';

export interface StandIn {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Runs the stand-in synchronously. */
  run(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string };
  /** The call log: one entry per execution. */
  calls(): { argv: string[]; stdin?: string }[];
  cleanup(): void;
}

export function standIn(extraEnv: NodeJS.ProcessEnv = {}): StandIn {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-ipvs-'));
  const env = { ...process.env, IPVSADM_STATE: join(dir, 'state.json'), IPVSADM_LOG: join(dir, 'calls.log'), ...extraEnv };
  return {
    dir,
    env,
    run(args, input) {
      const r = spawnSync(standInIpvsadm, args, { env, input: input ?? '', encoding: 'utf8', timeout: 20_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    calls() {
      const f = join(dir, 'calls.log');
      if (!existsSync(f)) return [];
      return readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { argv: string[]; stdin?: string });
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
