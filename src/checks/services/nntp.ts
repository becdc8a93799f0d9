// negotiate check for service=nntp (ldirectord check_nntp, L3264): connect, read the
// first chunk the server sends (sysread of 64 bytes) and want it to start with "2"
// (RFC 3977 section 5.1: 200/201 = service available). Nothing is sent.
import type { CheckResult, ServiceCheckContext } from '../types.js';
import { withLineSocket } from './lib/line-socket.js';
import { down, runCheck, up } from './lib/run-check.js';

export function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  return runCheck(ctx, signal, (sig) =>
    withLineSocket({ host: ctx.host, port: ctx.port, tls: false, signal: sig }, async (sock) => {
      const banner = (await sock.readSome()).slice(0, 64);
      const firstLine = banner.split(/\r?\n/)[0] ?? '';
      if (banner === '') return down('NNTP server closed the connection without a greeting');
      return banner.startsWith('2') ? up(`NNTP greeting: ${firstLine}`) : down(`NNTP greeting refused: ${firstLine}`);
    }),
  );
}
