// negotiate check for service=simpletcp (ldirectord check_simpletcp L3652): connect,
// send the request without its leading '/' and with literal "\n" turned into newlines,
// half-close, then read lines; up as soon as one line matches receive. Like Perl's
// <$sock>, each line keeps its trailing newline when tested.
import { tcpConnect } from '../tcp.js';
import type { CheckResult, ServiceCheckContext } from '../types.js';

/** Stop reading after this much data without a matching line (memory bound). */
export const MAX_READ_BYTES = 1024 * 1024;

export function simpletcpPayload(request: string): string {
  return request.slice(1).replace(/\\n/g, '\n');
}

export async function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  const started = performance.now();
  const done = (ok: boolean, message: string): CheckResult => ({ ok, message, durationMs: performance.now() - started });
  let socket;
  try {
    socket = await tcpConnect(ctx.host, ctx.port, signal);
  } catch (e) {
    return done(false, `Socket Connect Failed: ${(e as Error).message}`);
  }
  const sock = socket;
  return new Promise<CheckResult>((resolve) => {
    let pending = '';
    let read = 0;
    let settled = false;
    let ended = false;
    let draining = false;
    const lines: string[] = [];
    const finish = (ok: boolean, message: string, warning?: string): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(warning === undefined ? done(ok, message) : { ...done(ok, message), warning });
    };
    const onAbort = (): void => finish(false, 'Timeout Alarm');
    signal.addEventListener('abort', onAbort, { once: true });
    // Lines are matched one at a time, in order; a match may run in the regex worker
    // (receive.ts), so reading goes on meanwhile, bounded by MAX_READ_BYTES.
    const drain = async (): Promise<void> => {
      if (draining) return;
      draining = true;
      while (!settled && lines.length > 0) {
        const line = lines.shift()!;
        // An empty receive: any line will do (Perl's empty pattern would reuse the last match).
        const verdict = ctx.receive ? await ctx.receive.test(line, signal) : 'match';
        if (verdict === 'match') return finish(true, '-');
        if (verdict === 'timeout' && ctx.receive) {
          const why = ctx.receive.timeoutMessage(line.length);
          return finish(false, why, `${why}: real server ${ctx.host}:${ctx.port}`);
        }
      }
      draining = false;
      if (!ended || settled) return;
      finish(false, read > MAX_READ_BYTES ? `No OK (no matching line in the first ${MAX_READ_BYTES} bytes)` : 'No OK');
    };
    const noMore = (): void => {
      if (ended) return;
      ended = true;
      if (pending !== '') lines.push(pending);
      pending = '';
      void drain();
    };
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => {
      if (ended) return;
      read += chunk.length;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        lines.push(pending.slice(0, nl + 1));
        pending = pending.slice(nl + 1);
      }
      if (read > MAX_READ_BYTES) {
        sock.pause();
        noMore();
      } else void drain();
    });
    sock.once('end', noMore);
    sock.once('error', (err) => finish(false, err.message));
    sock.once('close', noMore);
    sock.end(simpletcpPayload(ctx.request));
  });
}
