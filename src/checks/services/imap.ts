// negotiate check for service=imap and service=imaps (ldirectord check_imap L3127,
// check_imaps L3158, Net::IMAP::Simple[::SSL]): the greeting must be "* OK" or
// "* PREAUTH" (RFC 3501 section 7.1); with a login, LOGIN must get a tagged OK.
// Without a login the greeting is still required (README, "Differences from ldirectord").
import type { CheckResult, ServiceCheckContext } from '../types.js';
import type { LineSocket } from './lib/line-socket.js';
import { withLineSocket } from './lib/line-socket.js';
import { down, runCheck, up } from './lib/run-check.js';

/** RFC 3501 section 4.3 quoted string. */
const quote = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** Reads until the tagged completion line for `tag`, skipping untagged data. */
async function tagged(sock: LineSocket, tag: string): Promise<string> {
  for (;;) {
    const line = await sock.readLine();
    if (line.startsWith(`${tag} `)) return line.slice(tag.length + 1);
  }
}

export function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  const tls = ctx.service === 'imaps';
  return runCheck(ctx, signal, (sig) =>
    withLineSocket({ host: ctx.host, port: ctx.port, tls, signal: sig }, async (sock) => {
      const greeting = await sock.readLine();
      if (!/^\*\s+(?:OK|PREAUTH)/i.test(greeting)) return down(`IMAP greeting refused: ${greeting}`);
      if (ctx.login !== '') {
        sock.write(`a1 LOGIN ${quote(ctx.login)} ${quote(ctx.passwd)}\r\n`);
        const answer = await tagged(sock, 'a1');
        if (!/^OK\b/i.test(answer)) return down(`IMAP login as ${ctx.login} refused: ${answer}`);
      }
      sock.write('a2 LOGOUT\r\n');
      return up(ctx.login !== '' ? `IMAP login as ${ctx.login} accepted` : 'IMAP greeting * OK');
    }),
  );
}
