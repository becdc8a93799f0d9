// Reads the peer's status document (its status_listen) with got: one GET, no retries
// (the next probe round is the retry), no redirects, a hard timeout over the whole
// exchange shorter than the probe interval. The answer is hostile until proven otherwise:
// got's decompression is off (we ask for identity and refuse any Content-Encoding), the
// body is read as a stream and dropped past MAX_STATUS_BYTES, and only then is it
// authenticated and schema-checked (status-document.ts verifyStatusAnswer).

import got from 'got';
import type { HostPort } from '../vrrp-config/model.js';
import { MAX_STATUS_BYTES, SIGNATURE_HEADER, STATUS_PATH, newNonce, verifyStatusAnswer } from './status-document.js';
import type { PeerStatus } from './status-document.js';
import { formatHostPort } from './status-server.js';

export interface StatusReadOptions {
  /** Our instance: the peer answers for the instance of this name only. */
  readonly instance: string;
  /**
   * The source to connect from. During a split brain the VIP sits on both nodes; a
   * connection sourced from it (IPv6 source selection may pick a same-prefix VIP) would
   * be answered to the peer itself, so the caller pins our own address.
   */
  readonly localAddress?: string;
}

export interface PeerStatusReader {
  read(peer: HostPort, o: StatusReadOptions): Promise<PeerStatus>;
}

export function statusUrl(peer: HostPort, instance?: string, nonce?: string): string {
  const q = instance !== undefined && nonce !== undefined ? `?instance=${encodeURIComponent(instance)}&nonce=${nonce}` : '';
  return `http://${formatHostPort(peer)}${STATUS_PATH}${q}`;
}

export interface StatusReaderOptions {
  /** Whole-exchange timeout (connect, headers and body). */
  readonly timeoutMs?: number;
  /** status_secret of the moment (reload may change it). */
  readonly secret: () => string | undefined;
  /** Wall clock, ms since the epoch. */
  readonly wallNow: () => number;
}

class TooLarge extends Error {}

/** GET with a byte cap; resolves with the raw body and the signature header. */
async function fetchCapped(url: string, timeoutMs: number, localAddress: string | undefined): Promise<{ status: number; encoding: string | undefined; signature: string | undefined; body: Buffer }> {
  const stream = got.stream(url, {
    decompress: false,
    followRedirect: false,
    throwHttpErrors: false,
    retry: { limit: 0 },
    timeout: { request: timeoutMs },
    headers: { 'accept-encoding': 'identity' },
    localAddress,
  });
  let meta: { status: number; encoding: string | undefined; signature: string | undefined } | undefined;
  stream.once('response', (res: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
    const one = (h: string): string | undefined => {
      const v = res.headers[h];
      return Array.isArray(v) ? v.join(',') : v;
    };
    meta = { status: res.statusCode, encoding: one('content-encoding'), signature: one(SIGNATURE_HEADER) };
    if (Number(one('content-length') ?? 0) > MAX_STATUS_BYTES) stream.destroy(new TooLarge());
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_STATUS_BYTES) {
      stream.destroy();
      throw new TooLarge();
    }
    chunks.push(chunk);
  }
  if (!meta) throw new Error('no response');
  return { ...meta, body: Buffer.concat(chunks) };
}

export function gotStatusReader(o: StatusReaderOptions): PeerStatusReader {
  const timeoutMs = o.timeoutMs ?? 800;
  return {
    async read(peer, { instance, localAddress }) {
      const nonce = newNonce();
      let r: Awaited<ReturnType<typeof fetchCapped>>;
      try {
        r = await fetchCapped(statusUrl(peer, instance, nonce), timeoutMs, localAddress);
      } catch (e) {
        if (e instanceof TooLarge || (e as { cause?: unknown }).cause instanceof TooLarge) return { kind: 'invalid', reason: `the answer is larger than ${MAX_STATUS_BYTES} bytes` };
        const code = (e as { code?: unknown }).code;
        return { kind: 'unreachable', reason: typeof code === 'string' ? code : 'no answer' };
      }
      if (r.status !== 200) return { kind: 'invalid', reason: `HTTP status ${r.status}` };
      if (r.encoding !== undefined && r.encoding.trim().toLowerCase() !== 'identity') return { kind: 'invalid', reason: 'the answer is compressed (Content-Encoding); haldir-vrrp never sends that' };
      return verifyStatusAnswer(r.body, r.signature, { secret: o.secret(), nonce, instance, now: o.wallNow() });
    },
  };
}
