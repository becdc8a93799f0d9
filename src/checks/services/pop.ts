// negotiate check for service=pop and service=pops (ldirectord check_pop, L3092,
// Mail::POP3Client; pops = implicit TLS, USESSL). With a login: USER/PASS must both be
// accepted (RFC 1939 section 7). Deliberate fix (README, "Differences from ldirectord"): without a
// login ldirectord reports up even when nothing answers; haldir wants the +OK greeting.
import type { CheckResult, ServiceCheckContext } from '../types.js';
import { withLineSocket } from './lib/line-socket.js';
import { down, runCheck, up } from './lib/run-check.js';

/** Mail::POP3Client matches /^\+OK/i. */
const isOk = (line: string): boolean => /^\+OK/i.test(line);

export function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  const tls = ctx.service === 'pops';
  return runCheck(ctx, signal, (sig) =>
    withLineSocket({ host: ctx.host, port: ctx.port, tls, signal: sig }, async (sock) => {
      const greeting = await sock.readLine();
      if (!isOk(greeting)) return down(`POP3 greeting refused: ${greeting}`);
      if (ctx.login === '') {
        sock.write('QUIT\r\n');
        return up('POP3 greeting +OK');
      }
      sock.write(`USER ${ctx.login}\r\n`);
      const user = await sock.readLine();
      if (!isOk(user)) return down(`POP3 USER ${ctx.login} refused: ${user}`);
      sock.write(`PASS ${ctx.passwd}\r\n`);
      const pass = await sock.readLine();
      if (!isOk(pass)) return down(`POP3 login as ${ctx.login} refused: ${pass}`);
      sock.write('QUIT\r\n');
      return up(`POP3 login as ${ctx.login} accepted`);
    }),
  );
}
