// The director's own alert mails (not ldirectord's table-change subjects): table
// operations the kernel refused, an unexpected error in a table round, and a config
// edit held back by autoreload. Pure builders of the AlertMessage the mailer takes, plus
// the retry schedule of failed table work. Everything that came from outside (ipvsadm's
// stderr, an exception's text) is escaped to printable ASCII first, so a hostile or
// broken peer cannot forge mail headers or log lines.
import type { Config, DaemonStatus } from '../config/model.js';
import type { AlertMessage } from '../alerts/message.js';

/** First retry 1 s after a failure, doubling to at most one a minute. */
export const RETRY_BASE_MS = 1000;
export const RETRY_MAX_MS = 60_000;

/** Delay before retry number `attempt` (1-based) of table work that failed. */
export function retryDelayMs(attempt: number): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(n - 1, 16));
}

/** Control characters and non-ASCII as \xNN / \uNNNN; keeps tabs out of single-line logs too. */
export function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Who gets the director's notices: the global emailalert, when it mails in this status. */
export function noticeAddressing(config: Config, status: DaemonStatus): Pick<AlertMessage, 'to' | 'from' | 'smtp'> | undefined {
  const g = config.global;
  if (g.emailalert.length === 0 || !g.emailalertstatus.includes(status)) return undefined;
  return { to: g.emailalert, from: g.emailalertfrom, smtp: g.smtp };
}

export interface FailedCommand {
  /** The ipvsadm command line after the binary. */
  readonly args: readonly string[];
  /** ipvsadm's stderr or the reason it could not run. */
  readonly message: string;
}

/** The first failure of an episode (mailed once; retries are only logged). */
export function tableFailureNotice(
  host: string,
  failed: readonly FailedCommand[],
  retryInMs: number,
  to: Pick<AlertMessage, 'to' | 'from' | 'smtp'>,
): AlertMessage {
  const lines = [
    `haldir host: ${host}`,
    `${failed.length} IPVS table change${failed.length === 1 ? '' : 's'} failed; the table keeps its previous entries and the log reports only what the kernel holds.`,
    `haldir retries with backoff (next in ${Math.round(retryInMs / 1000)} s, then up to every ${RETRY_MAX_MS / 1000} s) and logs every attempt; no further mail is sent until the changes succeed.`,
    'Check that the ip_vs module is loaded and that haldir runs as root (`ipvsadm -L -n`).',
    '',
    ...failed.map((f) => `ipvsadm ${printable(f.args.join(' '))}: ${printable(f.message)}`),
  ];
  return { ...to, subject: `[${host}] haldir: IPVS table changes failed`, body: `${lines.join('\n')}\n` };
}

/** An unexpected error in a table round (a bug): mailed once, the rounds go on. */
export function roundErrorNotice(host: string, error: string, to: Pick<AlertMessage, 'to' | 'from' | 'smtp'>): AlertMessage {
  const lines = [
    `haldir host: ${host}`,
    'An unexpected error stopped a table round. Health checks go on and the round is retried with backoff;',
    'this mail is sent once. The log has the stack trace; please report it.',
    '',
    printable(error),
  ];
  return { ...to, subject: `[${host}] haldir: unexpected error in a table round`, body: `${lines.join('\n')}\n` };
}

/** A config edit autoreload did not apply because it would remove every virtual service. */
export function heldBackNotice(host: string, file: string, running: number, to: Pick<AlertMessage, 'to' | 'from' | 'smtp'>): AlertMessage {
  const lines = [
    `haldir host: ${host}`,
    `Configuration file: ${file}`,
    `The file now has no virtual service, and applying it would remove all ${running} running virtual service${running === 1 ? '' : 's'}.`,
    'autoreload did not apply it: an empty file is most often one still being written (an editor or a',
    'configuration-management tool truncates before it writes). The running configuration stays in force',
    'and autoreload stays on; writing the full file back applies it.',
    `If removing every virtual service is intended, confirm with \`haldir ${file} reload\` (SIGHUP).`,
  ];
  return { ...to, subject: `[${host}] haldir: configuration '${file}' not applied (no virtual services)`, body: `${lines.join('\n')}\n` };
}
