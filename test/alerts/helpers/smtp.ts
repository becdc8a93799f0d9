// A real SMTP server (smtp-server) on loopback for the alert tests; every message it
// accepts is parsed with mailparser and kept with its envelope and session facts.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly envelopeFrom: string;
  readonly rcptTo: string[];
  readonly subject: string;
  readonly text: string;
  readonly fromHeader: string;
  readonly toHeader: string;
  readonly secure: boolean;
  readonly user: string | undefined;
}

export interface TestSmtpOptions {
  readonly port?: number;
  /** Implicit TLS from the first byte. */
  readonly secure?: boolean;
  /** Key and certificate: enables STARTTLS (or serves implicit TLS when secure). */
  readonly tls?: { key: string; cert: string };
  /** Require AUTH with these credentials. */
  readonly auth?: { user: string; pass: string };
  /** RCPT TO addresses answered with 550. */
  readonly rejectRcpt?: readonly string[];
}

export interface TestSmtp {
  readonly port: number;
  readonly mails: ReceivedMail[];
  /** Number of AUTH attempts refused. */
  readonly authFailures: () => number;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtp(opts: TestSmtpOptions = {}): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  let authFailures = 0;
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    logger: false,
    secure: opts.secure ?? false,
    key: opts.tls?.key,
    cert: opts.tls?.cert,
    disabledCommands: opts.tls ? [] : ['STARTTLS'],
    authOptional: !opts.auth,
    allowInsecureAuth: false,
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) {
        cb(null, { user: auth.username });
        return;
      }
      authFailures++;
      cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      if (opts.rejectRcpt?.includes(address.address)) {
        const e = new Error('No such user here') as Error & { responseCode: number };
        e.responseCode = 550;
        cb(e);
        return;
      }
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((parsed) => {
          const env = session.envelope;
          mails.push({
            envelopeFrom: env.mailFrom ? env.mailFrom.address : '',
            rcptTo: env.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            fromHeader: parsed.from?.text ?? '',
            toHeader: Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? ''),
            secure: session.secure,
            user: typeof session.user === 'string' ? session.user : undefined,
          });
          for (const w of waiters.splice(0)) w();
          cb();
        })
        .catch((e: Error) => cb(e));
    },
  });
  server.on('error', () => {
    // Client resets during the tests are expected; the assertions judge the outcome.
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const addr = server.server.address();
      if (addr && typeof addr === 'object') resolve(addr.port);
      else reject(new Error('no port'));
    });
    server.server.once('error', reject);
  });
  return {
    port,
    mails,
    authFailures: () => authFailures,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${count} mails, got ${mails.length}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port that was free a moment ago (for servers started later in a test). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const addr = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  if (!addr || typeof addr !== 'object') throw new Error('no port');
  return addr.port;
}

/** A self-signed certificate for 127.0.0.1/localhost, made with openssl for this test. */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
