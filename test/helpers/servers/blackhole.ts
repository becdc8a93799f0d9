// Servers that accept and never answer: the timeout case of every check.
import dgram from 'node:dgram';
import net from 'node:net';

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** TCP listener that accepts connections and never writes a byte. */
export async function startTcpBlackhole(host = '127.0.0.1'): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => srv.listen(0, host, resolve));
  return {
    host,
    port: (srv.address() as net.AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

/** UDP socket that swallows every datagram; `received` counts them. */
export async function startUdpBlackhole(
  host = '127.0.0.1',
): Promise<RunningServer & { readonly received: () => number }> {
  const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  let count = 0;
  sock.on('message', () => {
    count++;
  });
  await new Promise<void>((resolve) => sock.bind(0, host, resolve));
  return {
    host,
    port: sock.address().port,
    received: () => count,
    stop: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
