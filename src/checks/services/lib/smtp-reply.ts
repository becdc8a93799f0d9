// Reads one SMTP reply (RFC 5321 section 4.2: "250-..." continuation lines, then
// "250 ..."), as Net::Cmd::response does for Net::SMTP.
import type { LineSocket } from './line-socket.js';

export interface SmtpReply {
  readonly code: number;
  readonly text: string;
}

export async function readSmtpReply(sock: LineSocket): Promise<SmtpReply> {
  const lines: string[] = [];
  for (;;) {
    const line = await sock.readLine();
    lines.push(line.slice(4));
    if (!/^\d{3}/.test(line)) return { code: 0, text: line };
    if (line.charAt(3) !== '-') return { code: Number(line.slice(0, 3)), text: lines.join(' ').trim() };
  }
}
