// Runs a program without a shell, bounded by an AbortSignal: on abort the child's whole
// process group is killed (a hung script's own children -- curl, nc -- die with it;
// ldirectord's system_timeout L4786 TERMs the child only and leaves those behind).
import { spawn } from 'node:child_process';

export type ChildOutcome =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'spawn-error'; readonly message: string };

export function runChild(file: string, args: readonly string[], signal: AbortSignal): Promise<ChildOutcome> {
  return new Promise<ChildOutcome>((resolve) => {
    if (signal.aborted) {
      resolve({ kind: 'timeout' });
      return;
    }
    let settled = false;
    const child = spawn(file, args, { stdio: 'ignore', detached: true });
    const finish = (o: ChildOutcome): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(o);
    };
    const onAbort = (): void => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      finish({ kind: 'timeout' });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => finish({ kind: 'spawn-error', message: err.message }));
    child.once('exit', (code, sig) => {
      finish(code !== null ? { kind: 'exit', code } : { kind: 'signal', signal: sig ?? 'unknown' });
    });
  });
}

export function describeOutcome(o: ChildOutcome): string {
  switch (o.kind) {
    case 'exit':
      return `exit status ${o.code}`;
    case 'signal':
      return `killed by ${o.signal}`;
    case 'timeout':
      return 'timed out, process group killed';
    case 'spawn-error':
      return `exec failed: ${o.message}`;
  }
}
