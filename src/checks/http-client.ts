// A lean HTTP/1.1 client for health checks: one request per connection
// ("Connection: close"), written straight to a net/tls socket and parsed by hand.
// Why not got/http.get: see docs/checks.md (bench figures) -- per check it costs a third
// of got's CPU, and a health check needs none of got's features (retries, cookies,
// caching, keep-alive pools). What it does handle: Content-Length, chunked bodies,
// read-until-close, HEAD/204/304 without a body, 1xx interim responses, TLS without
// certificate verification (LWP ssl_opts verify_hostname => 0, check_http L3003),
// SNI, IPv6 literals, and a hard cap on what it will read.
import net from 'node:net';
import tls from 'node:tls';

export interface HttpRequestOptions {
  readonly url: URL;
  readonly method: 'GET' | 'HEAD';
  /** Host header; default: the URL's host. */
  readonly hostHeader?: string;
  /** Send the request in absolute form to this proxy instead of the URL's host. */
  readonly proxy?: { readonly host: string; readonly port: number };
  /**
   * The numeric address to connect to when the URL names a host: resolved by the caller
   * off the check path (name-cache.ts), so a socket never does its own DNS lookup.
   */
  readonly connectHost?: string;
  /** TLS SNI; ignored when it is an IP literal (RFC 6066 section 3 forbids those). */
  readonly servername?: string;
  readonly signal: AbortSignal;
  /** Bodies longer than this fail the request instead of being read on (memory bound). */
  readonly maxBodyBytes: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly reason: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/** A request that produced no usable response; `message` reads like LWP's status line. */
export class HttpCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpCheckError';
  }
}

const MAX_HEAD_BYTES = 64 * 1024;
/** What ldirectord's monitorfile shows for a timed-out check_http (LWP turns its alarm into a 500). */
export const TIMEOUT_STATUS = '500 Timeout Alarm';
const USER_AGENT = 'haldir-check/1';

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function defaultPort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function requestHead(o: HttpRequestOptions): string {
  const target = o.proxy ? o.url.href : `${o.url.pathname}${o.url.search}`;
  const host = o.hostHeader ?? o.url.host;
  return `${o.method} ${target} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${USER_AGENT}\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
}

type BodyMode = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

/** Incremental response parser; feed() returns a response once complete. */
class ResponseParser {
  private buf: Buffer = Buffer.alloc(0);
  private status = 0;
  private reason = '';
  private headers = new Map<string, string>();
  private mode: BodyMode | undefined;
  private readonly bodyParts: Buffer[] = [];
  private bodyBytes = 0;
  private chunkLeft = -1; // -1: expecting a size line; -2: expecting the CRLF after data
  private done = false;

  constructor(
    private readonly method: string,
    private readonly maxBody: number,
  ) {}

  /** Returns the response when complete, undefined when more bytes are needed. Throws on protocol errors. */
  feed(data: Buffer): HttpResponse | undefined {
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    while (!this.mode) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buf.length > MAX_HEAD_BYTES) throw new HttpCheckError('500 response headers too large');
        return undefined;
      }
      const head = this.buf.subarray(0, end).toString('latin1');
      this.buf = this.buf.subarray(end + 4);
      this.parseHead(head);
    }
    this.consumeBody();
    return this.done ? this.response() : undefined;
  }

  /** The peer closed: complete for read-until-close bodies, an error otherwise. */
  end(): HttpResponse {
    if (this.done) return this.response();
    if (this.mode?.kind === 'close') {
      this.done = true;
      return this.response();
    }
    throw new HttpCheckError(this.mode ? '500 connection closed before the response body was complete' : '500 Server closed connection without sending any data back');
  }

  private parseHead(head: string): void {
    const lines = head.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    if (!m) throw new HttpCheckError(`500 malformed status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    const status = Number(m[1]);
    if (status >= 100 && status < 200 && status !== 101) return; // interim (100 Continue): read on
    this.status = status;
    this.reason = m[2] ?? '';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const c = line.indexOf(':');
      if (c <= 0) continue;
      this.headers.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim());
    }
    const te = this.headers.get('transfer-encoding');
    const cl = this.headers.get('content-length');
    if (this.method === 'HEAD' || status === 204 || status === 304 || status === 101) this.mode = { kind: 'none' };
    else if (te !== undefined && /chunked/i.test(te)) this.mode = { kind: 'chunked' };
    else if (cl !== undefined && /^\d+$/.test(cl)) {
      const n = Number(cl);
      if (n > this.maxBody) throw new HttpCheckError(`500 response body larger than ${this.maxBody} bytes`);
      this.mode = { kind: 'length', left: n };
    } else this.mode = { kind: 'close' };
  }

  private take(n: number): void {
    if (this.bodyBytes + n > this.maxBody) throw new HttpCheckError(`500 response body larger than ${this.maxBody} bytes`);
    this.bodyParts.push(this.buf.subarray(0, n));
    this.bodyBytes += n;
    this.buf = this.buf.subarray(n);
  }

  private consumeBody(): void {
    const mode = this.mode!;
    if (mode.kind === 'none') {
      this.done = true;
    } else if (mode.kind === 'length') {
      const n = Math.min(mode.left, this.buf.length);
      this.take(n);
      mode.left -= n;
      if (mode.left === 0) this.done = true;
    } else if (mode.kind === 'close') {
      this.take(this.buf.length);
    } else {
      this.consumeChunks();
    }
  }

  private consumeChunks(): void {
    for (;;) {
      if (this.chunkLeft === -1) {
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) {
          if (this.buf.length > 1024) throw new HttpCheckError('500 malformed chunk size line');
          return;
        }
        const sizeText = this.buf.subarray(0, eol).toString('latin1').split(';')[0]!.trim();
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new HttpCheckError('500 malformed chunk size line');
        this.buf = this.buf.subarray(eol + 2);
        const size = parseInt(sizeText, 16);
        if (size === 0) {
          // Trailers are ignored: the body is complete (RFC 9112 section 7.1).
          this.done = true;
          return;
        }
        if (this.bodyBytes + size > this.maxBody) throw new HttpCheckError(`500 response body larger than ${this.maxBody} bytes`);
        this.chunkLeft = size;
      } else if (this.chunkLeft === -2) {
        if (this.buf.length < 2) return;
        this.buf = this.buf.subarray(2);
        this.chunkLeft = -1;
      } else {
        const n = Math.min(this.chunkLeft, this.buf.length);
        if (n === 0) return;
        this.take(n);
        this.chunkLeft -= n;
        if (this.chunkLeft === 0) this.chunkLeft = -2;
      }
    }
  }

  private response(): HttpResponse {
    const body = this.bodyParts.length === 1 ? this.bodyParts[0]! : Buffer.concat(this.bodyParts);
    return { status: this.status, reason: this.reason, headers: this.headers, body };
  }
}

/** LWP-like text for a socket error: "500 Can't connect to HOST:PORT (Connection refused)". */
function connectErrorText(err: NodeJS.ErrnoException, host: string, port: number): string {
  const why: Record<string, string> = {
    ECONNREFUSED: 'Connection refused',
    EHOSTUNREACH: 'No route to host',
    ENETUNREACH: 'Network is unreachable',
    ECONNRESET: 'Connection reset by peer',
  };
  const reason = (err.code && why[err.code]) ?? err.message;
  return `500 Can't connect to ${host.includes(':') ? `[${host}]` : host}:${port} (${reason})`;
}

/** One request/response on a fresh connection. Rejects with HttpCheckError; the socket is always destroyed. */
export function httpRequestOnce(o: HttpRequestOptions): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    if (o.signal.aborted) {
      reject(new HttpCheckError(TIMEOUT_STATUS));
      return;
    }
    const useTls = !o.proxy && o.url.protocol === 'https:';
    const host = o.proxy ? o.proxy.host : (o.connectHost ?? stripBrackets(o.url.hostname));
    const port = o.proxy ? o.proxy.port : defaultPort(o.url);
    const parser = new ResponseParser(o.method, o.maxBodyBytes);
    let settled = false;
    let connected = false;
    const socket: net.Socket = useTls
      ? tls.connect({
          host,
          port,
          rejectUnauthorized: false,
          ...(o.servername && net.isIP(stripBrackets(o.servername)) === 0 ? { servername: o.servername } : {}),
        })
      : net.connect({ host, port });
    const finish = (err: Error | undefined, res?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(res!);
    };
    const onAbort = (): void => finish(new HttpCheckError(TIMEOUT_STATUS));
    o.signal.addEventListener('abort', onAbort, { once: true });
    socket.once(useTls ? 'secureConnect' : 'connect', () => {
      connected = true;
      socket.write(requestHead(o));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        const res = parser.feed(chunk);
        if (res) finish(undefined, res);
      } catch (e) {
        finish(e instanceof Error ? e : new HttpCheckError(String(e)));
      }
    });
    socket.once('end', () => {
      try {
        finish(undefined, parser.end());
      } catch (e) {
        finish(e instanceof Error ? e : new HttpCheckError(String(e)));
      }
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      finish(new HttpCheckError(connected ? `500 ${err.message}` : connectErrorText(err, host, port)));
    });
    socket.once('close', () => finish(new HttpCheckError('500 connection closed')));
  });
}
