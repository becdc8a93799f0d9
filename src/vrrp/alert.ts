// E-mail on every state change, keepalived's smtp_alert shape (vrrp_smtp.c):
// subject "[router_id] VRRP Instance VI_1 - Entering MASTER state". The mailer is
// injected: the daemon gets an AlertSink (the daemon wires src/alerts/ into it).

export interface Alert {
  subject: string;
  body: string;
  to: string[];
}

export interface AlertSink {
  send(alert: Alert): void;
}

const BODY: Record<'MASTER' | 'BACKUP' | 'FAULT', string> = {
  MASTER: '=> VRRP Instance is now owning VRRP VIPs <=',
  BACKUP: '=> VRRP Instance is no longer owning VRRP VIPs <=',
  // keepalived 2.2.7 vrrp_smtp.c uses the same body for FAULT as for BACKUP.
  FAULT: '=> VRRP Instance is no longer owning VRRP VIPs <=',
};

export function transitionAlert(routerId: string, instance: string, state: 'MASTER' | 'BACKUP' | 'FAULT', to: string[], wallMs: number): Alert {
  return {
    subject: `[${routerId}] VRRP Instance ${instance} - Entering ${state} state`,
    body: `${new Date(wallMs).toUTCString()}\n\n${BODY[state]}\n`,
    to,
  };
}
