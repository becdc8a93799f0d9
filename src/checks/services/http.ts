// negotiate check for service=http, https and http_proxy (ldirectord check_http L2975).
// ctx.request is the URL ld_setup built (target.ts httpUrlFor); a bare path is accepted
// too and completed as SCHEME://HOST:PORT/PATH. The Host header is the virtualhost, else
// the real's address (IPv6 bracketed) -- check_http sets it explicitly, LWP drops it when
// following a redirect. Up when the final status is 2xx and receive (if any) matches the
// body; down messages are what ldirectord writes to the monitorfile: the status line, or
// the body when a 2xx body did not match.
import { promises as dns } from 'node:dns';
import net from 'node:net';
import { systemClock } from '../../runtime/clock.js';
import { HttpCheckError, httpRequestOnce, stripBrackets, type HttpResponse } from '../http-client.js';
import { NameCache } from '../name-cache.js';
import type { CheckResult, ServiceCheckContext } from '../types.js';

/** LWP::UserAgent's default max_redirect. */
export const MAX_REDIRECTS = 7;
/** Bodies are read up to this many bytes; a longer body fails the check. */
export const MAX_BODY_BYTES = 1024 * 1024;

const MAX_MESSAGE_CHARS = 4096;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Addresses of host names that redirects point at (getaddrinfo, like LWP's
 * gethostbyname): looked up at most two at a time and kept a minute, so a DNS server
 * that does not answer costs the redirected check its timeout and nothing else.
 */
export const redirectHosts = new NameCache<string>(async (name) => (await dns.lookup(name)).address, {
  clock: systemClock({ unref: true }),
  ttlMs: 60_000,
});

async function addressOf(url: URL, signal: AbortSignal): Promise<string | undefined> {
  const host = stripBrackets(url.hostname);
  if (net.isIP(host) !== 0) return undefined;
  try {
    return await redirectHosts.get(host, signal);
  } catch (e) {
    throw new HttpCheckError(`500 Can't connect to ${url.host} (${(e as Error).message})`);
  }
}

function bracketed(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function initialUrl(ctx: ServiceCheckContext): URL | string {
  if (/^https?:\/\//i.test(ctx.request)) {
    try {
      return new URL(ctx.request);
    } catch {
      return `400 URL is malformed: ${ctx.request}`;
    }
  }
  // LWP's answer to a relative URL given to a proxy (ld_setup passes the request as is).
  if (ctx.service === 'http_proxy') return '400 URL must be absolute';
  const scheme = ctx.service === 'https' ? 'https' : 'http';
  return new URL(`${scheme}://${bracketed(ctx.host)}:${ctx.port}/${ctx.request.replace(/^\//, '')}`);
}

async function fetchFollowingRedirects(ctx: ServiceCheckContext, first: URL, signal: AbortSignal): Promise<HttpResponse> {
  let url = first;
  // check_http: the proxy carries http:// URLs only ($ua->proxy("http", ...)).
  const viaProxy = (u: URL): boolean => ctx.service === 'http_proxy' && u.protocol === 'http:';
  let hostHeader: string | undefined = ctx.service === 'http_proxy' ? undefined : (ctx.virtualhost ?? bracketed(ctx.host));
  let servername: string | undefined = ctx.virtualhost ?? first.hostname;
  for (let hop = 0; ; hop++) {
    const connectHost = viaProxy(url) ? undefined : await addressOf(url, signal);
    const res = await httpRequestOnce({
      url,
      ...(connectHost !== undefined ? { connectHost } : {}),
      method: ctx.httpmethod,
      ...(hostHeader !== undefined ? { hostHeader } : {}),
      ...(viaProxy(url) ? { proxy: { host: ctx.host, port: ctx.port } } : {}),
      ...(servername !== undefined ? { servername } : {}),
      signal,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    const location = res.headers.get('location');
    if (!REDIRECT_STATUSES.has(res.status) || location === undefined || hop >= MAX_REDIRECTS) return res;
    try {
      url = new URL(location, url);
    } catch {
      return res;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return res;
    hostHeader = undefined;
    servername = url.hostname;
  }
}

export async function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  const started = performance.now();
  const done = (ok: boolean, message: string): CheckResult => ({ ok, message, durationMs: performance.now() - started });
  const url = initialUrl(ctx);
  if (typeof url === 'string') return done(false, url);
  let res: HttpResponse;
  try {
    res = await fetchFollowingRedirects(ctx, url, signal);
  } catch (e) {
    return done(false, e instanceof HttpCheckError ? e.message : `500 ${String(e)}`);
  }
  const statusLine = `${res.status} ${res.reason}`.trim();
  const success = res.status >= 200 && res.status < 300;
  if (!success) return done(false, statusLine);
  const body = res.body.toString('utf8');
  if (ctx.receive) {
    const verdict = await ctx.receive.test(body, signal);
    if (verdict === 'timeout') {
      const why = ctx.receive.timeoutMessage(body.length);
      return { ...done(false, why), warning: `${why}: real server ${bracketed(ctx.host)}:${ctx.port}` };
    }
    // ldirectord logs the whole body here; we keep the first 4 KiB (monitorfile lines stay sane).
    if (verdict === 'no-match') return done(false, body.slice(0, MAX_MESSAGE_CHARS));
  }
  return done(true, statusLine);
}
