// Runs a Debian daemon in the foreground for a test: spawned in its own process group,
// output kept for the failure message, "ready" when its port accepts (tcp) or is bound
// (udp, asked of ss), and stopped with SIGTERM then SIGKILL.
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DaemonSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
  /** Ready when these ports listen (tcp: accept a connection; udp: bound). */
  readonly ready: ReadonlyArray<{ readonly proto: 'tcp' | 'udp'; readonly port: number; readonly host?: string }>;
  readonly readyTimeoutMs?: number;
}

export interface Daemon {
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Is some socket bound to this udp port? (ss: /proc/net/udp is empty in some sandboxes) */
function udpBound(port: number): boolean {
  try {
    return execFileSync('ss', ['-Hlun', `sport = :${port}`], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

export async function startDaemon(spec: DaemonSpec): Promise<Daemon> {
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    uid: spec.uid,
    gid: spec.gid,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (err) => {
      out += `\nspawn error: ${err.message}`;
      exited = true;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const killed = await Promise.race([exit.then(() => true), sleep(5000, undefined, { ref: false }).then(() => false)]);
    if (!killed) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exit;
    }
  };
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) throw new Error(`${spec.name} exited before it was ready:\n${out}`);
    let ready = true;
    for (const r of spec.ready) {
      const ok = r.proto === 'tcp' ? await tcpAccepts(r.host ?? '127.0.0.1', r.port) : udpBound(r.port);
      if (!ok) {
        ready = false;
        break;
      }
    }
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${spec.name} not ready after ${spec.readyTimeoutMs ?? 30_000} ms:\n${out}`);
    }
    await sleep(100);
  }
  return { pid: child.pid ?? 0, output: () => out, stop };
}

/**
 * Starts a daemon whose files live in `dir`; returns the stop function that also
 * removes the dir (removed at once when the daemon does not come up).
 */
export async function startDaemonIn(dir: { remove(): void }, spec: DaemonSpec): Promise<() => Promise<void>> {
  try {
    const d = await startDaemon(spec);
    return async () => {
      await d.stop();
      dir.remove();
    };
  } catch (err) {
    dir.remove();
    throw err;
  }
}
