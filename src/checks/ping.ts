// checktype=ping (ldirectord check_ping L3826): ICMP echo, up to checkcount attempts of
// checktimeout each; up at the first reply. Uses iputils' /bin/ping (setuid-free thanks to
// ping_group_range / CAP_NET_RAW), spawned without a shell, -n so no DNS is involved.
import { runChild } from './child-process.js';
import type { CheckResult } from './types.js';

export const PING_BINARY = '/bin/ping';

export function pingArgs(address: string, timeoutMs: number): string[] {
  const secs = Math.max(1, Math.ceil(timeoutMs / 1000));
  return [address.includes(':') ? '-6' : '-4', '-n', '-q', '-c', '1', '-W', String(secs), address];
}

export async function checkPing(address: string, attempts: number, timeoutMs: number, signal: AbortSignal): Promise<CheckResult> {
  const started = performance.now();
  let last = '';
  for (let i = 0; i < Math.max(1, attempts) && !signal.aborted; i++) {
    const o = await runChild(PING_BINARY, pingArgs(address, timeoutMs), signal);
    if (o.kind === 'exit' && o.code === 0) return { ok: true, message: 'pong', durationMs: performance.now() - started };
    last = o.kind === 'exit' ? `no reply (attempt ${i + 1}/${attempts})` : o.kind;
  }
  return { ok: false, message: `ping to ${address} timed out: ${last || 'timeout'}`, durationMs: performance.now() - started };
}
