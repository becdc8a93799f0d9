// One request datagram to a server, optionally sent again until the first reply that
// `accept` takes (dns, sip, radius). The socket is connect()ed so ICMP port-unreachable
// comes back as ECONNREFUSED instead of silence; it is closed on every path.
import dgram from 'node:dgram';
import net from 'node:net';

export interface UdpRequest<T> {
  readonly host: string;
  readonly port: number;
  /** Built once the local address is known (sip puts it in its Via header). */
  readonly payload: (local: { address: string; port: number }) => Buffer | string;
  /** The answer, or undefined to ignore this datagram and keep waiting. */
  readonly accept: (msg: Buffer) => T | undefined;
  /** Send again every N ms while unanswered; undefined = send once. */
  readonly retransmitMs?: number;
  readonly signal: AbortSignal;
}

export function udpRequest<T>(req: UdpRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(req.host) ? 'udp6' : 'udp4');
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      req.signal.removeEventListener('abort', onAbort);
      sock.close();
      settle();
    };
    const fail = (err: unknown): void => finish(() => reject(err));
    const onAbort = (): void => fail(req.signal.reason);
    if (req.signal.aborted) {
      sock.close();
      reject(req.signal.reason);
      return;
    }
    req.signal.addEventListener('abort', onAbort, { once: true });
    sock.on('error', fail);
    sock.on('message', (msg) => {
      let answer: T | undefined;
      try {
        answer = req.accept(msg);
      } catch {
        return; // garbage: keep waiting, as a resolver does
      }
      if (answer !== undefined) finish(() => resolve(answer));
    });
    sock.connect(req.port, req.host, () => {
      const data = req.payload(sock.address());
      const send = (): void => sock.send(data, (err) => err && fail(err));
      send();
      if (req.retransmitMs !== undefined) timer = setInterval(send, req.retransmitMs);
    });
  });
}
