// Runs a program without a shell, bounded by an AbortSignal: on abort the child's whole
// process group is killed (a hung script's own children -- curl, nc -- die with it;
// ldirectord's system_timeout L4786 TERMs the child only and leaves those behind).
import { childEnvironment } from '../runtime/child-env.js';
import { execFile } from '../runtime/exec.js';

export type ChildOutcome =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'spawn-error'; readonly message: string };

/** The shared runner (src/runtime/exec.ts), bounded only by the check's AbortSignal, with the clean child environment. */
export async function runChild(file: string, args: readonly string[], signal: AbortSignal): Promise<ChildOutcome> {
  const r = await execFile([file, ...args], { timeoutMs: undefined, signal, captureOutput: false, env: childEnvironment() });
  if (r.timedOut) return { kind: 'timeout' };
  if (r.error !== undefined) return { kind: 'spawn-error', message: r.error };
  if (r.code !== null) return { kind: 'exit', code: r.code };
  return { kind: 'signal', signal: r.signal ?? 'unknown' };
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
