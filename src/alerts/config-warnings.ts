// Warnings about the haldir SMTP extensions in a config: a password in a file every
// local user can read, and a password sent without TLS. Pure: the caller stats the file
// and passes the mode; configtest and the daemon print what these return.

import type { GlobalConfig } from '../config/model.js';

export interface SmtpConfigWarning {
  readonly code: 'W-SMTPPASSWD-READABLE' | 'W-SMTPAUTH-CLEARTEXT';
  readonly message: string;
}

/**
 * A warning when `mode` (st_mode or its permission bits) lets other users read a file
 * that holds an SMTP password, else undefined.
 */
export function smtpPasswordWarning(file: string, mode: number, holdsPassword: boolean): SmtpConfigWarning | undefined {
  if (!holdsPassword || (mode & 0o004) === 0) return undefined;
  const perms = (mode & 0o777).toString(8).padStart(4, '0');
  return {
    code: 'W-SMTPPASSWD-READABLE',
    message:
      `${file} holds smtppasswd but is readable by every user (mode ${perms}); ` +
      `run: chmod 600 ${file}`,
  };
}

/** smtpuser without smtptls: the relay would receive the password in clear text. */
export function smtpCleartextAuthWarning(g: Pick<GlobalConfig, 'smtpuser' | 'smtptls'>): SmtpConfigWarning | undefined {
  if (g.smtpuser === undefined || g.smtptls !== 'none') return undefined;
  return {
    code: 'W-SMTPAUTH-CLEARTEXT',
    message:
      'smtpuser is set but smtptls is not: the SMTP password would cross the network in clear text ' +
      '(and most relays refuse AUTH without TLS); add smtptls = starttls (port 587/25) or smtptls = tls (port 465)',
  };
}
