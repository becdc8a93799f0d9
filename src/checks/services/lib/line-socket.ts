// A TCP (or implicit-TLS) connection read line by line, for the text protocols
// ldirectord talks through Net::SMTP, Mail::POP3Client, Net::IMAP::Simple and raw
// sockets (nntp, sip over tcp). Every failure surfaces as a rejected read, and the
// check's signal destroys the socket, so callers only await and decide.
import net from 'node:net';
import tls from 'node:tls';

export interface LineSocket {
  /** Next line without its CR LF; rejects when the peer closes first or on error. */
  readLine(): Promise<string>;
  /** Whatever arrived next (buffered bytes first), as latin1 text; '' at end of stream. */
  readSome(): Promise<string>;
  write(text: string): void;
  readonly localAddress: string;
  readonly localPort: number;
  close(): void;
}

export interface LineSocketOptions {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (pops, imaps, ...). Like ldirectord's Perl clients, no certificate check. */
  readonly tls: boolean;
  readonly signal: AbortSignal;
}

export class PeerClosedError extends Error {
  readonly code = 'PEER_CLOSED';
  constructor() {
    super('the server closed the connection');
  }
}

export function openLineSocket(opts: LineSocketOptions): Promise<LineSocket> {
  return new Promise((resolve, reject) => {
    if (opts.signal.aborted) {
      reject(opts.signal.reason);
      return;
    }
    const socket: net.Socket = opts.tls
      ? tls.connect({
          host: opts.host,
          port: opts.port,
          rejectUnauthorized: false,
          // SNI must not be an IP literal (RFC 6066 section 3).
          ...(net.isIP(opts.host) ? {} : { servername: opts.host }),
        })
      : net.connect({ host: opts.host, port: opts.port });
    let buffer = '';
    let failure: Error | undefined;
    let ended = false;
    const waiters: Array<() => void> = [];
    const wakeAll = (): void => {
      for (const w of waiters.splice(0)) w();
    };
    const onAbort = (): void => {
      failure ??= opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted');
      socket.destroy();
      wakeAll();
    };
    opts.signal.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      wakeAll();
    });
    socket.on('error', (err) => {
      failure ??= err;
      wakeAll();
      reject(err);
    });
    socket.on('close', () => {
      ended = true;
      opts.signal.removeEventListener('abort', onAbort);
      wakeAll();
    });
    const next = (): Promise<void> =>
      new Promise((r) => {
        waiters.push(r);
      });

    const api: LineSocket = {
      async readLine() {
        for (;;) {
          const nl = buffer.indexOf('\n');
          if (nl >= 0) {
            const line = buffer.slice(0, nl).replace(/\r$/, '');
            buffer = buffer.slice(nl + 1);
            return line;
          }
          if (failure) throw failure;
          if (ended) throw new PeerClosedError();
          await next();
        }
      },
      async readSome() {
        for (;;) {
          if (buffer !== '') {
            const out = buffer;
            buffer = '';
            return out;
          }
          if (failure) throw failure;
          if (ended) return '';
          await next();
        }
      },
      write(text) {
        if (!socket.destroyed) socket.write(text, 'latin1');
      },
      get localAddress() {
        return socket.localAddress ?? '';
      },
      get localPort() {
        return socket.localPort ?? 0;
      },
      close() {
        opts.signal.removeEventListener('abort', onAbort);
        socket.destroy();
      },
    };
    socket.once(opts.tls ? 'secureConnect' : 'connect', () => resolve(api));
  });
}

/** Opens a LineSocket, runs `talk` on it and always closes it. */
export async function withLineSocket<T>(
  opts: LineSocketOptions,
  talk: (sock: LineSocket) => Promise<T>,
): Promise<T> {
  const sock = await openLineSocket(opts);
  try {
    return await talk(sock);
  } finally {
    sock.close();
  }
}
