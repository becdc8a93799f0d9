// The one mail type every alert producer hands to the mailer: ldirectord's real-server
// alerts (policy.ts), and haldir's own (generic.ts: VRRP transitions, rejected reloads,
// split brain). Plain data, so producers stay pure and tests compare values.

import { hostname as osHostname, userInfo } from 'node:os';
import type { SmtpServer } from '../config/model.js';

export interface AlertMessage {
  /** Recipients; one RCPT TO each, and together in the To: header. */
  readonly to: readonly string[];
  /** From: header; undefined -> `user@host`, ldirectord's default (ld_emailalert_net_smtp). */
  readonly from: string | undefined;
  readonly subject: string;
  /** Text body with '\n' line ends (the transport turns them into CRLF on the wire). */
  readonly body: string;
  /** SMTP relay; undefined -> the local sendmail, as ldirectord's Mail::Send path. */
  readonly smtp: SmtpServer | undefined;
}

/** The envelope sender ldirectord uses: `getpwuid($<)@hostname` (ld_emailalert_net_smtp). */
export function defaultSender(host: string = osHostname()): string {
  let user = 'root';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for our uid (containers): keep ldirectord's likely default.
  }
  return `${user}@${host}`;
}

/** Where a message goes: one queue (and one ordering) per destination. */
export function routeKey(smtp: SmtpServer | undefined): string {
  return smtp ? `smtp:${smtp.host}:${smtp.port}` : 'sendmail';
}

/** Human form of a destination for log lines. */
export function routeLabel(smtp: SmtpServer | undefined): string {
  return smtp ? `SMTP server ${smtp.host}:${smtp.port}` : 'local sendmail';
}
