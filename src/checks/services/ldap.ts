// negotiate check for service=ldap and service=ldaps (ldirectord check_ldap, L3188,
// Net::LDAP): connect (ldaps = implicit TLS, no certificate check), bind with
// login/passwd when both are set (anonymous simple bind otherwise), search the request
// (leading '/' removed) with scope base and filter (objectClass=*), and want exactly one
// entry whose DN matches receive (any DN when receive is not set).
import net from 'node:net';
import tls from 'node:tls';
import type { Client as LdapClient } from 'ldapts';
import { matchedAmong } from '../receive.js';
import type { CheckResult, ServiceCheckContext } from '../types.js';
import { describeError } from './lib/describe-error.js';
import { lazyModule } from './lib/lazy-module.js';
import { alarmDeadline, down, runCheck, up, type Verdict } from './lib/run-check.js';

const loadLdapts = lazyModule(() => import('ldapts'));

/**
 * ldirectord's decision on the DNs the base search returned. Messages are check_ldap's
 * own words, because they reach the monitorfile; the specifics go to detail.
 */
export function ldapVerdict(dns: readonly string[], matches: ((dn: string) => boolean) | undefined): Verdict {
  if (dns.length !== 1) return down('No answer received', `${dns.length} entries, want exactly 1`);
  const dn = dns[0] ?? '';
  if (matches && !matches(dn)) return down('Response mismatch', `DN ${dn} does not match receive`);
  return up('Success', `DN ${dn}`);
}

/** Bind, then the base search; every failure ends as check_ldap's final words. */
async function bindAndSearch(client: LdapClient, ctx: ServiceCheckContext, base: string): Promise<Verdict> {
  try {
    if (ctx.login !== '' && ctx.passwd !== '') await client.bind(ctx.login, ctx.passwd);
    else await client.bind('', '');
  } catch (err) {
    // check_ldap's `return` inside its eval only leaves the eval: after logging
    // "Connection failed" / "Bind failed" it goes on to log "No answer received", which
    // is the final word. haldir reports that one, with the cause in detail. Node socket
    // errors carry a string errno code, LDAP result errors a numeric one.
    if (typeof (err as { code?: unknown }).code === 'string') {
      return down('No answer received', `Connection failed: ${describeError(err)}`);
    }
    const who = ctx.login && ctx.passwd ? `as ${ctx.login}` : 'anonymous';
    return down('No answer received', `Bind failed ${who}: ${describeError(err)}`);
  }
  let dns: string[];
  try {
    const res = await client.search(base, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] });
    dns = res.searchEntries.map((e) => e.dn);
  } catch (err) {
    return down('No answer received', `base ${base}: ${describeError(err)}`);
  }
  return ldapVerdict(dns, await matchedAmong(ctx.receive, dns.slice(0, 1)));
}

export function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  const scheme = ctx.service === 'ldaps' ? 'ldaps' : 'ldap';
  const host = net.isIPv6(ctx.host) ? `[${ctx.host}]` : ctx.host;
  const base = ctx.request.replace(/^\//, '');
  const body = async (sig: AbortSignal): Promise<Verdict> => {
    // Our own sockets, so the check's signal can destroy them at any stage.
    const sockets: net.Socket[] = [];
    const track = <S extends net.Socket>(s: S): S => {
      sockets.push(s);
      return s;
    };
    const { Client } = await loadLdapts();
    const client = new Client({
      url: `${scheme}://${host}:${ctx.port}`,
      timeout: ctx.timeoutMs,
      connectTimeout: ctx.timeoutMs,
      // ldapts turns TLS on whenever tlsOptions is present, so only for ldaps.
      ...(scheme === 'ldaps' ? { tlsOptions: { rejectUnauthorized: false } } : {}),
      strictDN: false,
      createConnection: ((...args: Parameters<typeof net.connect>) => track(net.connect(...args))) as typeof net.connect,
      createSecureConnection: ((...args: Parameters<typeof tls.connect>) => track(tls.connect(...args))) as typeof tls.connect,
    });
    const destroyAll = (): void => {
      for (const s of sockets) s.destroy();
    };
    sig.addEventListener('abort', destroyAll, { once: true });
    try {
      return await bindAndSearch(client, ctx, base);
    } finally {
      sig.removeEventListener('abort', destroyAll);
      await client.unbind().catch(() => undefined);
      destroyAll();
    }
  };
  return runCheck(ctx, signal, body, { timeoutMs: alarmDeadline(ctx), failureWording: 'No answer received' });
}
