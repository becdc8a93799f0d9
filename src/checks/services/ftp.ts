// negotiate check for service=ftp (ldirectord check_ftp, L3718, Net::FTP): log in
// (login/passwd; the config layer defaults them to anonymous / ldirectord@HOSTNAME),
// cwd "/", binary, passive, RETR the request, and want the file body to match receive.
// Difference: ldirectord ignores every FTP error and matches receive against whatever
// was fetched (possibly nothing; an empty receive then reuses Perl's last match), so a
// dead server can look up. haldir wants the RETR to succeed, and the body to match
// receive when one is set.
import { Writable } from 'node:stream';
import type { CheckResult, ServiceCheckContext } from '../types.js';
import { lazyModule } from './lib/lazy-module.js';
import { down, runCheck, up } from './lib/run-check.js';

const loadBasicFtp = lazyModule(() => import('basic-ftp'));

/** Bodies are only matched against receive; keep the first MiB (memory bound). */
const MAX_BODY_BYTES = 1024 * 1024;

function memorySink(): { sink: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (size < MAX_BODY_BYTES) {
        chunks.push(chunk);
        size += chunk.length;
      }
      cb();
    },
  });
  return { sink, text: () => Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('latin1') };
}

export function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  return runCheck(ctx, signal, async (sig) => {
    const { Client } = await loadBasicFtp();
    const client = new Client(ctx.timeoutMs);
    const onAbort = (): void => client.close();
    sig.addEventListener('abort', onAbort, { once: true });
    try {
      await client.access({
        host: ctx.host,
        port: ctx.port,
        user: ctx.login || 'anonymous',
        password: ctx.passwd || `ldirectord@${ctx.hostname}`,
      });
      // Net::FTP's cwd("/") result is ignored by ldirectord too.
      await client.cd('/').catch(() => undefined);
      const { sink, text } = memorySink();
      await client.downloadTo(sink, ctx.request);
      const body = text();
      const verdict = ctx.receive ? await ctx.receive.test(body, sig) : 'match';
      if (verdict === 'timeout') {
        const why = `FTP ${ctx.request}: ${ctx.receive!.timeoutMessage(body.length)}`;
        return { ...down(why), warning: `${why}: real server ${ctx.host}:${ctx.port}` };
      }
      if (verdict === 'no-match') {
        return down(`FTP ${ctx.request}: response mismatch (${body.length} bytes do not match receive)`);
      }
      return up(`FTP ${ctx.request}: ${body.length} bytes${ctx.receive ? ' matching receive' : ''}`);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const text = err instanceof Error ? err.message : String(err);
      return down(typeof code === 'number' ? `FTP ${text}` : text);
    } finally {
      sig.removeEventListener('abort', onAbort);
      client.close();
    }
  });
}
