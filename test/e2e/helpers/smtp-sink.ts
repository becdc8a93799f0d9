// Run inside a test namespace: `node smtp-sink.js IP PORT`. A real SMTP server
// (smtp-server) that prints every accepted message as one JSON line
// {"subject","text","to"} on stdout, and "READY" once it listens.

import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const [host = '127.0.0.1', port = '2525'] = process.argv.slice(2);
const server = new SMTPServer({
  logger: false,
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, session, cb) {
    simpleParser(stream)
      .then((m) => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        process.stdout.write(`${JSON.stringify({ subject: m.subject ?? '', text: m.text ?? '', to })}\n`);
        cb();
      })
      .catch((e: Error) => cb(e));
  },
});
server.listen(Number(port), host, () => process.stdout.write('READY\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
