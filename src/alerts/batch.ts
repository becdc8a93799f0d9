// Optional batching (haldir extension): several alerts to the same recipients within a
// short window become one mail, so a flapping pool sends one summary instead of a storm.
// Pure: the mailer decides when a window closes, this decides what the mail says.

import type { AlertMessage } from './message.js';
import { routeKey } from './message.js';

/** Messages with the same key may share one mail: same relay, sender and recipients. */
export function batchKey(m: AlertMessage): string {
  return JSON.stringify([routeKey(m.smtp), m.from ?? '', [...m.to].sort()]);
}

/** One mail carrying every message, oldest first; a single message is passed through. */
export function combineAlerts(messages: readonly AlertMessage[], host: string): AlertMessage {
  const first = messages[0];
  if (!first) throw new Error('combineAlerts: no messages');
  if (messages.length === 1) return first;
  const n = messages.length;
  const index = messages.map((m, i) => `${i + 1}. ${m.subject}`);
  const parts = messages.map((m, i) => `----- ${i + 1}. ${m.subject} -----\n${m.body.replace(/\n?$/, '\n')}`);
  const body = [`${n} changes on ${host}, oldest first:`, '', ...index, '', ...parts].join('\n');
  return { to: first.to, from: first.from, smtp: first.smtp, subject: `haldir: ${n} changes on ${host}`, body };
}
