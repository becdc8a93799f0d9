// Alerts that are not ldirectord's: VRRP transitions from haldir-vrrp (keepalived's
// texts), a configuration rejected on reload, and split brain. Pure builders of the
// plain AlertMessage the mailer takes; callers supply recipients and relay.

import type { Diagnostic, SmtpServer } from '../config/model.js';
import type { AlertMessage } from './message.js';

/** Who gets a generic alert and through which relay (undefined smtp: local sendmail). */
export interface AlertAddressing {
  readonly to: readonly string[];
  readonly from?: string | undefined;
  readonly smtp: SmtpServer | undefined;
}

export type VrrpAlertState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';

/**
 * keepalived's vrrp_smtp_notifier texts (2.2.7): subject `[router_id] VRRP Instance
 * VI_1 - Entering MASTER state` and a one-line body. STOP and DELETED use the bodies
 * keepalived has for them ("=> VRRP Instance stopping <=", "=> VRRP Deleted at reload <=").
 */
const VRRP_TEXT: Record<VrrpAlertState, { subject: string; body: string; group: string }> = {
  MASTER: {
    subject: 'Entering MASTER state',
    body: '=> VRRP Instance is now owning VRRP VIPs <=',
    group: '=> All VRRP group instances are now in MASTER state <=',
  },
  BACKUP: {
    subject: 'Entering BACKUP state',
    body: '=> VRRP Instance is no longer owning VRRP VIPs <=',
    group: '=> All VRRP group instances are now in BACKUP state <=',
  },
  FAULT: {
    subject: 'Entering FAULT state',
    body: '=> VRRP Instance is no longer owning VRRP VIPs <=',
    group: '=> All VRRP group instances are now in FAULT state <=',
  },
  STOP: {
    subject: 'Stopping',
    body: '=> VRRP Instance stopping <=',
    group: '=> All VRRP group instances are now stopping <=',
  },
  DELETED: {
    subject: 'Deleted',
    body: '=> VRRP Deleted at reload <=',
    group: '=> VRRP Deleted at reload <=',
  },
};

/** `[router_id] VRRP Instance VI_1 - Entering MASTER state` (keepalived smtp_alert, SMTP_MSG_VRRP). */
export function vrrpInstanceAlert(
  routerId: string,
  instance: string,
  state: VrrpAlertState,
  addressing: AlertAddressing,
): AlertMessage {
  const text = VRRP_TEXT[state];
  return message(addressing, `[${routerId}] VRRP Instance ${instance} - ${text.subject}`, `${text.body}\n`);
}

/** `[router_id] VRRP Group G - Entering MASTER state` (keepalived, SMTP_MSG_VGROUP). */
export function vrrpGroupAlert(
  routerId: string,
  group: string,
  state: VrrpAlertState,
  addressing: AlertAddressing,
): AlertMessage {
  const text = VRRP_TEXT[state];
  return message(addressing, `[${routerId}] VRRP Group ${group} - ${text.subject}`, `${text.group}\n`);
}

/** One diagnostic as the compiler-style configtest prints it (one format everywhere). */
export { formatDiagnostic } from '../config/diagnostics.js';
import { formatDiagnostic } from '../config/diagnostics.js';

/**
 * A reload that was refused: the running configuration stays in force, and the mail
 * lists every diagnostic so the operator can fix the file without logging in first.
 */
export function configRejectedAlert(
  program: string,
  host: string,
  file: string,
  diagnostics: readonly Diagnostic[],
  addressing: AlertAddressing,
): AlertMessage {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const lines = [
    `${program} host: ${host}`,
    `Configuration file: ${file}`,
    `The new configuration was rejected (${errors} error${errors === 1 ? '' : 's'}); the running configuration stays in force.`,
    `Fix the file, check it with \`${program} configtest\`, then reload again.`,
    '',
    ...diagnostics.map(formatDiagnostic),
  ];
  return message(addressing, `[${host}] ${program}: configuration '${file}' rejected on reload`, `${lines.join('\n')}\n`);
}

export type SplitBrainVerdict = 'suspected' | 'resolved';

/** Split brain seen (or over) by haldir-vrrp's detector, with the detector's reason. */
export function splitBrainAlert(
  routerId: string,
  instance: string,
  verdict: SplitBrainVerdict,
  reason: string,
  addressing: AlertAddressing,
): AlertMessage {
  const subject =
    verdict === 'suspected'
      ? `[${routerId}] VRRP Instance ${instance} - Split brain suspected`
      : `[${routerId}] VRRP Instance ${instance} - Split brain resolved`;
  const advice =
    verdict === 'suspected'
      ? 'Both directors may be MASTER: check the VRRP path between them (firewall, multicast, VLAN) and which one holds the VIPs.'
      : 'A single MASTER holds the VIPs again.';
  return message(addressing, subject, `=> ${reason} <=\n${advice}\n`);
}

/** haldir-vrrp could not bind status_listen after a reload (it keeps retrying). */
export function statusListenAlert(routerId: string, at: string, reason: string, addressing: AlertAddressing): AlertMessage {
  return message(
    addressing,
    `[${routerId}] VRRP status listener ${at} down`,
    `=> ${reason} <=\nThe peer cannot read this node's split-brain status until it binds; haldir-vrrp retries every few seconds.\n`,
  );
}

function message(addressing: AlertAddressing, subject: string, body: string): AlertMessage {
  return { to: addressing.to, from: addressing.from, subject, body, smtp: addressing.smtp };
}
