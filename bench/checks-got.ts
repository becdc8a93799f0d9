// The same negotiate-http probe written with `got`, for the bench's client comparison
// (the issue: "use got OR a lean HTTP/1.1 check path if got costs too much").
import http from 'node:http';
import https from 'node:https';
import got from 'got';
import type { Phase, ProbeOutcome } from '../src/checks/run-check.js';
import type { CheckTarget } from '../src/checks/target.js';

const agent = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false, rejectUnauthorized: false }) };

export async function gotProbe(t: CheckTarget, _phase: Phase, signal: AbortSignal): Promise<ProbeOutcome> {
  const started = performance.now();
  const ctx = t.ctx;
  try {
    const res = await got(ctx.request, {
      method: ctx.httpmethod,
      headers: { host: ctx.virtualhost ?? (ctx.host.includes(':') ? `[${ctx.host}]` : ctx.host) },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: true,
      maxRedirects: 7,
      https: { rejectUnauthorized: false },
      agent,
      signal,
    });
    const ok = res.statusCode >= 200 && res.statusCode < 300 && (!ctx.receive || (await ctx.receive.test(res.body)) === 'match');
    const message = `${res.statusCode} ${res.statusMessage ?? ''}`.trim();
    return { result: { ok, message, durationMs: performance.now() - started }, monitorMessage: message };
  } catch (e) {
    const message = `500 ${(e as Error).message}`;
    return { result: { ok: false, message, durationMs: performance.now() - started }, monitorMessage: message };
  }
}
