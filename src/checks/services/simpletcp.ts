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
  // An empty receive: any line will do (Perl's empty pattern would reuse the last match).
  const matches = (line: string): boolean => (ctx.receive ? ctx.receive.test(line) : true);
  return new Promise<CheckResult>((resolve) => {
    let pending = '';
    let read = 0;
    let settled = false;
    const finish = (ok: boolean, message: string): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(done(ok, message));
    };
    const onAbort = (): void => finish(false, 'Timeout Alarm');
    signal.addEventListener('abort', onAbort, { once: true });
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => {
      read += chunk.length;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl + 1);
        pending = pending.slice(nl + 1);
        if (matches(line)) return finish(true, '-');
      }
      if (read > MAX_READ_BYTES) finish(false, `No OK (no matching line in the first ${MAX_READ_BYTES} bytes)`);
    });
    sock.once('end', () => finish(pending !== '' && matches(pending), pending !== '' && matches(pending) ? '-' : 'No OK'));
    sock.once('error', (err) => finish(false, err.message));
    sock.once('close', () => finish(false, 'No OK'));
    sock.end(simpletcpPayload(ctx.request));
  });
}
