// The TCP connect every socket check starts with (ld_open_socket), abortable.
import net from 'node:net';

export class TcpConnectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TcpConnectError';
  }
}

/** Resolves with a connected socket or rejects (refused, unreachable, aborted). The caller destroys it. */
export function tcpConnect(host: string, port: number, signal: AbortSignal): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    if (signal.aborted) {
      reject(new TcpConnectError('timed out'));
      return;
    }
    const socket = net.connect({ host, port });
    const cleanup = (): void => {
      signal.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
    };
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      reject(new TcpConnectError('timed out'));
    };
    const onError = (err: NodeJS.ErrnoException): void => {
      cleanup();
      socket.destroy();
      reject(new TcpConnectError(err.code ?? err.message));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', () => {
      cleanup();
      resolve(socket);
    });
  });
}
