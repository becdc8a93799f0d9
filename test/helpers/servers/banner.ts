// A TCP server that greets every connection with a fixed banner (or says nothing) and
// ignores input: an nntp server for the nntp check, a misbehaving pop/imap/smtp server,
// or, without a banner, the "accepts and never answers" server of the timeout cases.
import net from 'node:net';
import type { RunningServer } from './running-server.js';

export async function startBannerServer(banner: string | undefined, host = '127.0.0.1', port = 0): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    if (banner !== undefined) s.write(banner);
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, resolve);
  });
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
