// negotiate check for service=radius (ldirectord check_radius, L3303,
// Authen::Radius::check_pwd): one Access-Request with User-Name=login,
// User-Password=passwd (hidden with secret, RFC 2865 section 5.2) and
// NAS-IP-Address=our address; check_pwd returns true only for an Access-Accept whose
// Response Authenticator verifies with the secret, and ldirectord marks anything else
// down (a reject returns "", the same as a timeout). Sent once, like Authen::Radius.
import { randomInt } from 'node:crypto';
import net from 'node:net';
import type { CheckResult, ServiceCheckContext } from '../types.js';
import { loadRadiusCodec } from './lib/radius-codec.js';
import { alarmDeadline, down, runCheck, up, type Verdict } from './lib/run-check.js';
import { udpRequest } from './lib/udp-request.js';

/** ldirectord's decision on a verified reply code. */
export function radiusVerdict(code: string, login: string): Verdict {
  return code === 'Access-Accept'
    ? up(`RADIUS Access-Accept for ${login}`)
    : down(`RADIUS ${code} for ${login} (only Access-Accept counts, as in ldirectord)`);
}

export function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  return runCheck(ctx, signal, async (sig) => {
    const radiusCodec = await loadRadiusCodec();
    const identifier = randomInt(0, 256);
    let request: Buffer = Buffer.alloc(0);
    return udpRequest<Verdict>({
      host: ctx.host,
      port: ctx.port,
      payload: (local) => {
        request = radiusCodec.encode({
          code: 'Access-Request',
          secret: ctx.secret,
          identifier,
          attributes: [
            ['User-Name', ctx.login],
            ['User-Password', ctx.passwd],
            ['NAS-IP-Address', net.isIPv4(local.address) ? local.address : '127.0.0.1'],
          ],
        });
        return request;
      },
      accept: (msg) => {
        const reply = radiusCodec.decode_without_secret({ packet: msg });
        if (reply.identifier !== identifier) return undefined; // not ours: keep waiting
        if (!radiusCodec.verify_response({ request, response: Buffer.from(msg), secret: ctx.secret })) {
          return down(`RADIUS ${reply.code}: bad response authenticator (is secret= the server's shared secret?)`);
        }
        return radiusVerdict(reply.code, ctx.login);
      },
      signal: sig,
    });
  }, { timeoutMs: alarmDeadline(ctx) });
}
