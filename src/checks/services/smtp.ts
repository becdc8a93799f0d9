// negotiate check for service=smtp and service=submission (ldirectord check_smtp,
// L3072): Net::SMTP->new connects, wants a 2xx greeting and then a successful
// hello(): EHLO, falling back to HELO only when EHLO gets a 5xx (Net::SMTP::hello).
// Both services are plain SMTP: ldirectord never starts TLS, not even on port 587.
import type { CheckResult, ServiceCheckContext } from '../types.js';
import { withLineSocket } from './lib/line-socket.js';
import { down, runCheck, up } from './lib/run-check.js';
import { readSmtpReply } from './lib/smtp-reply.js';

/** Net::SMTP's default hello domain; ldirectord passes none. */
const HELLO_DOMAIN = 'localhost.localdomain';

const is2xx = (code: number): boolean => code >= 200 && code < 300;

export function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  return runCheck(ctx, signal, (sig) =>
    withLineSocket({ host: ctx.host, port: ctx.port, tls: false, signal: sig }, async (sock) => {
      const greeting = await readSmtpReply(sock);
      if (!is2xx(greeting.code)) return down(`SMTP greeting refused: ${greeting.code} ${greeting.text}`);
      sock.write(`EHLO ${HELLO_DOMAIN}\r\n`);
      let hello = await readSmtpReply(sock);
      let verb = 'EHLO';
      if (hello.code >= 500 && hello.code < 600) {
        verb = 'HELO';
        sock.write(`HELO ${HELLO_DOMAIN}\r\n`);
        hello = await readSmtpReply(sock);
      }
      if (!is2xx(hello.code)) return down(`SMTP ${verb} refused: ${hello.code} ${hello.text}`);
      sock.write('QUIT\r\n');
      return up(`SMTP ${verb} accepted (${hello.code})`);
    }),
  );
}
