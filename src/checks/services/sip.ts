// negotiate check for service=sip (ldirectord check_sip, L3559): send the OPTIONS
// request ldirectord builds, byte for byte (including its "Via: SIP/2.0/UDP" even over
// tcp, fixed branch and tags, random Call-ID), over udp when the virtual is udp and
// tcp otherwise (ld_open_socket), and want the status line "SIP/2.0 200 OK"
// (RFC 3261 section 7.2) followed by the end of the header block.
import { randomBytes } from 'node:crypto';
import type { CheckResult, ServiceCheckContext } from '../types.js';
import { PeerClosedError, withLineSocket } from './lib/line-socket.js';
import { down, runCheck, up, type Verdict } from './lib/run-check.js';
import { udpRequest } from './lib/udp-request.js';

/** check_sip's request; ld_get_addrport writes an IPv6 source address in brackets. */
export function sipOptionsRequest(login: string, localAddress: string, localPort: number, callId: string): string {
  const via = localAddress.includes(':') ? `[${localAddress}]` : localAddress;
  return (
    `OPTIONS sip:${login} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP ${via}:${localPort};branch=z9hG4bKhjhs8ass877\r\n` +
    'Max-Forwards: 70\r\n' +
    `To: <sip:${login}>\r\n` +
    `From: <sip:${login}>;tag=1928301774\r\n` +
    `Call-ID: ${callId}\r\n` +
    'CSeq: 63104 OPTIONS\r\n' +
    `Contact: <sip:${login}>\r\n` +
    'Accept: application/sdp\r\n' +
    'Content-Length: 0\r\n\r\n'
  );
}

/** ldirectord's decision on the reply's status line. */
export function sipVerdict(statusLine: string | undefined): Verdict {
  if (statusLine === undefined || statusLine === '') return down('SIP: no reply (No OK)');
  return /^SIP\/2\.0 200 OK/.test(statusLine) ? up(`SIP: ${statusLine}`) : down(`SIP reply is not 200 OK: ${statusLine}`);
}

function overUdp(ctx: ServiceCheckContext, login: string, signal: AbortSignal): Promise<Verdict> {
  return udpRequest({
    host: ctx.host,
    port: ctx.port,
    payload: (local) => sipOptionsRequest(login, local.address, local.port, randomBytes(8).toString('hex')),
    accept: (msg) => sipVerdict(msg.toString('latin1').split(/\r?\n/)[0]),
    signal,
  });
}

function overTcp(ctx: ServiceCheckContext, login: string, signal: AbortSignal): Promise<Verdict> {
  return withLineSocket({ host: ctx.host, port: ctx.port, tls: false, signal }, async (sock) => {
    sock.write(sipOptionsRequest(login, sock.localAddress, sock.localPort, randomBytes(8).toString('hex')));
    const verdict = sipVerdict(await sock.readLine());
    if (!verdict.ok) return verdict;
    // Like ldirectord, read on to the blank line that ends the headers (or to EOF).
    try {
      while ((await sock.readLine()) !== '');
    } catch (err) {
      if (!(err instanceof PeerClosedError)) throw err;
    }
    return verdict;
  });
}

export function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  const login = ctx.login || `ldirectord@${ctx.hostname}`;
  return runCheck(ctx, signal, (sig) => (ctx.protocol === 'udp' ? overUdp(ctx, login, sig) : overTcp(ctx, login, sig)));
}
