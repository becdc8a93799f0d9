// checktype=connect (ldirectord check_connect L3455): up when a TCP connection to the
// check port opens within checktimeout. (udp virtuals are pinged instead; run-check.ts.)
import { tcpConnect } from './tcp.js';
import type { CheckResult } from './types.js';

export async function checkConnect(host: string, port: number, signal: AbortSignal): Promise<CheckResult> {
  const started = performance.now();
  try {
    const sock = await tcpConnect(host, port, signal);
    sock.destroy();
    return { ok: true, message: 'connect ok', durationMs: performance.now() - started };
  } catch (e) {
    return { ok: false, message: `Socket Connect Failed: ${(e as Error).message}`, durationMs: performance.now() - started };
  }
}
