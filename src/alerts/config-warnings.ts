// The warning about haldir's SMTP AUTH extension (smtpuser/smtppasswd/smtptls, in
// ldirectord.cf and vrrp.cf alike): a password that would cross the network in clear
// text. Pure; both config engines turn it into a diagnostic, so configtest and start
// show it. (A secret in a file others can read is src/config/secret-file.ts.)

import { isIP } from 'node:net';
import type { GlobalConfig, SmtpServer } from '../config/model.js';

export interface SmtpConfigWarning {
  readonly code: 'W-SMTPAUTH-CLEARTEXT';
  readonly message: string;
}

/** 127.0.0.0/8, ::1 (also as ::ffff:127.x) and localhost: traffic that never leaves the host. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * SMTP AUTH (smtpuser) without TLS to a relay that is not on this host: the password
 * would cross the network in clear text. A loopback relay (a local MTA that relays
 * onwards) is fine, and without any smtp server the local sendmail is used (no AUTH).
 */
export function smtpCleartextAuthWarning(
  g: Pick<GlobalConfig, 'smtpuser' | 'smtptls'>,
  servers: readonly (SmtpServer | undefined)[],
): SmtpConfigWarning | undefined {
  if (g.smtpuser === undefined || g.smtptls !== 'none') return undefined;
  const remote = servers.filter((s): s is SmtpServer => s !== undefined && !isLoopbackHost(s.host));
  const first = remote[0];
  if (!first) return undefined;
  return {
    code: 'W-SMTPAUTH-CLEARTEXT',
    message:
      `smtpuser is set but smtptls is not: the SMTP password would cross the network to ${first.host}:${first.port} in clear text ` +
      '(and most relays refuse AUTH without TLS); add smtptls = starttls (port 587/25) or smtptls = tls (port 465)',
  };
}
