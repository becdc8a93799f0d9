// Free loopback ports, found by letting the kernel pick one and releasing it.
import dgram from 'node:dgram';
import net from 'node:net';

export async function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, host, resolve);
  });
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A port free for both tcp and udp (dns, sip, radius servers bind both). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freeTcpPort(host);
    const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const ok = await new Promise<boolean>((resolve) => {
      sock.once('error', () => resolve(false));
      sock.bind(port, host, () => resolve(true));
    });
    await new Promise<void>((resolve) => sock.close(() => resolve()));
    if (ok) return port;
  }
  throw new Error('no free tcp+udp port on loopback');
}
