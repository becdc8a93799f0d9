// One DNS query/response exchange with a single server, over udp (retransmitted, as a
// resolver does) or tcp (RFC 1035 section 4.2.2 length prefix). Net::DNS::Resolver
// also falls back to tcp when a udp answer is truncated; so does this.
import net from 'node:net';
import { randomInt } from 'node:crypto';
import type * as DnsPacket from 'dns-packet';
import { lazyModule } from './lazy-module.js';
import { udpRequest } from './udp-request.js';

export type DnsTransport = 'udp' | 'tcp';

/** How often an unanswered udp query is sent again (Net::DNS retrans is coarser). */
const UDP_RETRANSMIT_MS = 1000;

const loadDnsPacket = lazyModule(() => import('dns-packet'));

function udpExchange(
  dnsPacket: typeof DnsPacket,
  host: string, port: number, query: Buffer, id: number, signal: AbortSignal): Promise<DnsPacket.DecodedPacket> {
  return udpRequest({
    host,
    port,
    payload: () => query,
    accept: (msg) => {
      const p = dnsPacket.decode(msg);
      return p.id === id && p.type === 'response' ? p : undefined;
    },
    retransmitMs: UDP_RETRANSMIT_MS,
    signal,
  });
}

function tcpExchange(
  dnsPacket: typeof DnsPacket,
  host: string, port: number, query: Buffer, signal: AbortSignal): Promise<DnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err: unknown, packet?: DnsPacket.DecodedPacket): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      if (packet) resolve(packet);
      else reject(err);
    };
    const onAbort = (): void => finish(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    sock.on('connect', () => sock.write(query));
    sock.on('error', (err) => finish(err));
    sock.on('close', () => finish(new Error('the DNS server closed the tcp connection without an answer')));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        try {
          finish(undefined, dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        } catch (err) {
          finish(err);
        }
      }
    });
  });
}

export async function dnsExchange(
  host: string,
  port: number,
  question: DnsPacket.Question,
  transport: DnsTransport,
  signal: AbortSignal,
): Promise<DnsPacket.DecodedPacket> {
  const dnsPacket = await loadDnsPacket();
  const id = randomInt(0, 0x10000);
  const packet: DnsPacket.Packet = { type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [question] };
  if (transport === 'tcp') return tcpExchange(dnsPacket, host, port, dnsPacket.streamEncode(packet), signal);
  const answer = await udpExchange(dnsPacket, host, port, dnsPacket.encode(packet), id, signal);
  return answer.flag_tc ? tcpExchange(dnsPacket, host, port, dnsPacket.streamEncode(packet), signal) : answer;
}
