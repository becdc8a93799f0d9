// Running operator commands (fallbackcommand, callback, execute, notify scripts) the safe
// way: argv without a shell, in their own process group, killed as a group on timeout.
// ldirectord's system_timeout (L4786) forks and alarms; a hung child must never stall us.
import { spawn } from 'node:child_process';

export interface ExecResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES...). */
  readonly error: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  /** Kill the process group after this long; undefined: only `signal` bounds it. */
  readonly timeoutMs: number | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly input?: string;
  /** Bytes of stdout/stderr kept (the rest is discarded; memory stays bounded). */
  readonly maxOutput?: number;
  readonly signal?: AbortSignal;
  /**
   * false: stdout/stderr go nowhere (no pipes), so a background grandchild that keeps
   * them open cannot hold the result back after the command itself exited.
   */
  readonly captureOutput?: boolean;
}

/**
 * Splits a command line the way Perl's system() does for a string without shell
 * metacharacters: on whitespace. Quotes group words (operators write
 * `fallbackcommand = "/usr/local/bin/fb 'a b'"`).
 */
export function splitCommandLine(cmd: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | undefined;
  let has = false;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < cmd.length) cur += cmd[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < cmd.length) {
      cur += cmd[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

export function execFile(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  const max = opts.maxOutput ?? 64 * 1024;
  return new Promise((resolve) => {
    if (argv.length === 0) {
      resolve({ code: null, signal: null, timedOut: false, error: 'empty command', stdout: '', stderr: '' });
      return;
    }
    if (opts.signal?.aborted) {
      resolve({ code: null, signal: null, timedOut: true, error: undefined, stdout: '', stderr: '' });
      return;
    }
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true, // own process group, so the whole tree can be killed
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', opts.captureOutput === false ? 'ignore' : 'pipe', opts.captureOutput === false ? 'ignore' : 'pipe'],
    });
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        try {
          child.kill('SIGKILL');
        } catch {
          /* gone */
        }
      }
    };
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killGroup();
          }, Math.max(1, opts.timeoutMs));
    const onAbort = () => {
      timedOut = true;
      killGroup();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (d: Buffer) => {
      if (stdout.length < max) stdout += d.toString('utf8').slice(0, max - stdout.length);
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < max) stderr += d.toString('utf8').slice(0, max - stderr.length);
    });
    if (opts.input !== undefined) {
      child.stdin?.on('error', () => {});
      child.stdin?.end(opts.input);
    }
    const finish = (r: Omit<ExecResult, 'stdout' | 'stderr' | 'timedOut'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ ...r, timedOut, stdout, stderr });
    };
    child.on('error', (e) => finish({ code: null, signal: null, error: e.message }));
    child.on('close', (code, signal) => finish({ code, signal, error: undefined }));
  });
}
