// Servers that accept and never answer: the timeout case of every check.
import dgram from 'node:dgram';
import net from 'node:net';
import { startBannerServer } from './banner.js';
import type { RunningServer } from './running-server.js';

export type { RunningServer } from './running-server.js';

/** TCP listener that accepts connections and never writes a byte. */
export function startTcpBlackhole(host = '127.0.0.1'): Promise<RunningServer> {
  return startBannerServer(undefined, host);
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
