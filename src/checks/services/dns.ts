// negotiate check for service=dns (ldirectord check_dns, L3764, Net::DNS): query the
// request (leading '/' removed) at the real server; like Net::DNS::Resolver::search, an
// IP address is looked up as a PTR (in-addr.arpa / ip6.arpa), anything else as an A.
// Up when an A address or PTR name in the answer matches receive; with no receive set
// ldirectord never reports up (length($recstr)), and neither does haldir. udp unless
// the virtual is tcp (usevc).
import net from 'node:net';
import type { Question } from 'dns-packet';
import { matchedAmong } from '../receive.js';
import type { CheckResult, ServiceCheckContext } from '../types.js';
import { dnsExchange } from './lib/dns-exchange.js';
import { down, runCheck, up, type Verdict } from './lib/run-check.js';

/** The question Net::DNS would ask for `request`. */
export function dnsQuestion(request: string): Question {
  const name = request.replace(/^\//, '');
  if (net.isIPv4(name)) {
    return { type: 'PTR', name: `${name.split('.').reverse().join('.')}.in-addr.arpa` };
  }
  if (net.isIPv6(name)) {
    return { type: 'PTR', name: `${ipv6Nibbles(name).reverse().join('.')}.ip6.arpa` };
  }
  return { type: 'A', name };
}

/** The 32 hex nibbles of an IPv6 address, most significant first (RFC 3596 section 2.5). */
function ipv6Nibbles(addr: string): string[] {
  const [head = '', tail = ''] = addr.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = groups(tail);
  const all = addr.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return all.flatMap((g) => g.padStart(4, '0').split(''));
}

interface AnswerLike {
  readonly type: string;
  readonly data?: unknown;
}

/** First A address or PTR name that matches receive (only those two types count). */
export function matchingAnswer(answers: readonly AnswerLike[], matches: ((data: string) => boolean) | undefined): string | undefined {
  if (!matches) return undefined;
  for (const a of answers) {
    if ((a.type === 'A' || a.type === 'PTR') && typeof a.data === 'string' && matches(a.data)) return `${a.type} ${a.data}`;
  }
  return undefined;
}

/** check_dns's decision on a reply, in its own words (they reach the monitorfile). */
export function dnsVerdict(
  reply: { rcode?: string; answers?: readonly AnswerLike[] },
  asked: string,
  matches: ((data: string) => boolean) | undefined,
): Verdict {
  const rcode = reply.rcode ?? 'NOERROR';
  const answers = reply.answers ?? [];
  // Net::DNS search() returns nothing for an error rcode or an empty answer.
  if (rcode !== 'NOERROR' || answers.length === 0) return down('Connection timed out', `${asked}: no answer (${rcode})`);
  const hit = matchingAnswer(answers, matches);
  if (!hit) {
    const got = answers.map((a) => `${a.type} ${typeof a.data === 'string' ? a.data : '?'}`).join(', ');
    const why = matches ? 'nothing matches receive' : 'no receive is set to match it against (set receive=)';
    return down('Response mismatch', `${asked}: got ${got}; ${why}`);
  }
  return up('Success', `${asked}: ${hit}`);
}

export function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  const question = dnsQuestion(ctx.request);
  const transport = ctx.protocol === 'tcp' ? 'tcp' : 'udp';
  const asked = `${question.type} ${question.name} over ${transport}`;
  return runCheck(
    ctx,
    signal,
    async (sig) => {
      const reply = (await dnsExchange(ctx.host, ctx.port, question, transport, sig)) as { rcode?: string; answers?: readonly AnswerLike[] };
      const texts = (reply.answers ?? []).flatMap((a) => ((a.type === 'A' || a.type === 'PTR') && typeof a.data === 'string' ? [a.data] : []));
      return dnsVerdict(reply, asked, await matchedAmong(ctx.receive, texts, sig));
    },
    { failureWording: 'Connection timed out' },
  );
}
