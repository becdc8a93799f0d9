// `receive`: a Perl regex in ldirectord syntax, translated to a JS RegExp by the config
// module (src/config/perl-regex.ts), matched against what a real server sent. ldirectord
// treats a receive that does not match /.+/ as "no receive" (check_http L3055), so ''
// compiles to undefined. The config parser already rejected untranslatable regexes
// (E-REGEX); should one reach us anyway, it matches nothing, so the check fails visibly.
//
// The text is network data, so the match must never block the process: it is cut to
// MAX_MATCH_CHARS, runs inline only when its worst case is cheap (regex-cost.ts), and
// otherwise runs in a worker thread with a hard deadline (regex-pool.ts). A match that
// runs out of time is a failed check with a message that says so.
import { compilePerlRegex } from '../config/perl-regex.js';
import { inlineAllowed, regexCost, type RegexCost } from './regex-cost.js';
import { MATCH_BUDGET_MS, RegexPool, type MatchVerdict } from './regex-pool.js';

export type { MatchVerdict } from './regex-pool.js';

/**
 * The most text a receive regex is run on (characters of the body read as latin1/utf8):
 * the same 1 MiB the http, ftp and simpletcp checks read at most. ldirectord reads
 * without a byte limit (LWP's max_size is undef, simpletcp's <$sock> and Net::FTP's get
 * read to the end); only its negotiatetimeout alarm stops the read.
 */
export const MAX_MATCH_CHARS = 1024 * 1024;

const NEVER = /(?!)/;

let sharedPool: RegexPool | undefined;
function pool(): RegexPool {
  sharedPool ??= new RegexPool();
  return sharedPool;
}

export class Receive {
  readonly cost: RegexCost;

  constructor(
    /** The receive string as configured (Perl syntax). */
    readonly source: string,
    readonly regex: RegExp,
    private readonly runner: () => RegexPool = pool,
  ) {
    this.cost = regexCost(regex.source);
  }

  /** Does `text` (cut to MAX_MATCH_CHARS) match? 'timeout' when the match ran out of time or the signal fired. */
  test(text: string, signal?: AbortSignal): Promise<MatchVerdict> {
    const t = text.length > MAX_MATCH_CHARS ? text.slice(0, MAX_MATCH_CHARS) : text;
    if (inlineAllowed(this.cost, t.length)) return Promise.resolve(this.regex.test(t) ? 'match' : 'no-match');
    return this.runner().test(this.regex, t, signal);
  }

  /** The down message for a match that ran out of time; the scheduler logs it too. */
  timeoutMessage(chars: number): string {
    const n = Math.min(chars, MAX_MATCH_CHARS);
    return `receive regex did not finish within ${MATCH_BUDGET_MS} ms on ${n} characters of the answer; simplify receive=${JSON.stringify(this.source)} (e.g. no .* before a literal)`;
  }
}

export function compileReceive(src: string): Receive | undefined {
  if (src === '') return undefined;
  let re: RegExp;
  try {
    re = compilePerlRegex(src);
  } catch {
    re = NEVER;
  }
  return new Receive(src, re);
}

/** A Receive for an already-compiled JS regex (tests, callers that build their own). */
export function receiveOf(regex: RegExp, source: string = regex.source): Receive {
  return new Receive(source, regex);
}

/**
 * For checks that test a few short strings (dns answers, an LDAP DN): which of them
 * match, as a predicate the pure verdict functions use. A match that timed out counts
 * as no match. undefined when no receive is set.
 */
export async function matchedAmong(
  receive: Receive | undefined,
  texts: readonly string[],
  signal?: AbortSignal,
): Promise<((text: string) => boolean) | undefined> {
  if (!receive) return undefined;
  const hits = new Set<string>();
  for (const t of texts) if ((await receive.test(t, signal)) === 'match') hits.add(t);
  return (text) => hits.has(text);
}
