// Debian's dovecot (imap, imaps, pop3, pop3s) on loopback ports, from a private config in
// a temp dir: one passwd-file user, a self-signed certificate, mail owned by `nobody`.
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemonIn } from './daemon.js';
import { freeTcpPort } from './ports.js';
import { makeTempDir, selfSignedCert, unixUser } from './tempdir.js';

export interface DovecotServer {
  readonly imap: number;
  readonly imaps: number;
  readonly pop3: number;
  readonly pop3s: number;
  readonly user: string;
  readonly password: string;
  stop(): Promise<void>;
}

function listeners(proto: string, plain: number, tls: number): string {
  return `service ${proto}-login {
  inet_listener ${proto} {
    port = ${plain}
  }
  inet_listener ${proto}s {
    port = ${tls}
    ssl = yes
  }
}
`;
}

export async function startDovecot(): Promise<DovecotServer> {
  const dir = makeTempDir('dovecot');
  // dovecot's auth worker runs as the unprivileged `dovecot` user and reads the passwd-file.
  chmodSync(dir.path, 0o755);
  const nobody = unixUser('nobody');
  const user = 'checker';
  const password = 'S3cret-pw';
  const [imap, imaps, pop3, pop3s] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
  const { cert, key } = selfSignedCert(dir.path);
  const mail = join(dir.path, 'mail');
  mkdirSync(mail);
  chownSync(mail, nobody.uid, nobody.gid);
  writeFileSync(join(dir.path, 'passwd'), `${user}:{PLAIN}${password}::::::\n`);
  const conf = join(dir.path, 'dovecot.conf');
  writeFileSync(
    conf,
    `protocols = imap pop3
listen = 127.0.0.1
base_dir = ${dir.path}/run
state_dir = ${dir.path}/state
log_path = /dev/stderr
ssl = yes
ssl_cert = <${cert}
ssl_key = <${key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
# no anvil auth penalty: repeated wrong-password tests from 127.0.0.1 would slow down
# every later login (dovecot: auth penalty is off when auth cannot reach this socket)
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir.path}/passwd
}
userdb {
  driver = static
  args = uid=${nobody.uid} gid=${nobody.gid} home=${mail}/%u
}
mail_location = maildir:${mail}/%u
${listeners('imap', imap, imaps)}${listeners('pop3', pop3, pop3s)}
`,
  );
  const stop = await startDaemonIn(dir, {
    name: 'dovecot',
    command: '/usr/sbin/dovecot',
    args: ['-F', '-c', conf],
    ready: [imap, imaps, pop3, pop3s].map((port) => ({ proto: 'tcp' as const, port })),
  });
  return { imap, imaps, pop3, pop3s, user, password, stop };
}
