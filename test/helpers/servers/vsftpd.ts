// Debian's vsftpd on a loopback port from a private config, with no account added to the
// machine: anonymous logins and the test's "local" user both map to the `ftp` system user
// the vsftpd package creates (anonymous: ftp_username; the user: a vsftpd guest login,
// guest_username). The user's password is checked by a PAM service of this test's own:
// pam_userdb reading a one-entry database (this name, a random password) in the temp
// dir. stop() removes the service file, and with the temp dir gone nothing could log in
// through it anyway.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemonIn } from './daemon.js';
import { freeTcpPort } from './ports.js';
import { makeTempDir, unixUser } from './tempdir.js';

/** The system user Debian's vsftpd package creates for anonymous FTP. */
const FTP_SYSTEM_USER = 'ftp';
const PAM_DIR = '/etc/pam.d';

export interface FtpServer {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  stop(): Promise<void>;
}

let counter = 0;
const pamFiles = new Set<string>();
let exitHooked = false;

/** A PAM service that accepts `user` with `password` only, from a database in `dir`. */
function pamService(dir: string, user: string, password: string): { name: string; remove(): void } {
  const name = `haldir-test-vsftpd-${process.pid}-${++counter}`;
  // pam_userdb(8) reads a Berkeley DB hash (user -> password); perl's DB_File writes one.
  const db = join(dir, 'ftp-users');
  execFileSync('perl', ['-MDB_File', '-MFcntl', '-e', 'tie my %h, "DB_File", $ARGV[0], O_RDWR|O_CREAT, 0600, $DB_HASH or die "$ARGV[0]: $!\\n"; $h{$ARGV[1]} = $ARGV[2]; untie %h', `${db}.db`, user, password]);
  const file = join(PAM_DIR, name);
  writeFileSync(
    file,
    [
      '# written by haldir\'s test suite (test/helpers/servers/vsftpd.ts); removed when the test stops vsftpd',
      `auth required pam_userdb.so db=${db}`,
      // pam_userdb sets no credentials; pam_permit answers pam_setcred
      'auth optional pam_permit.so',
      'account required pam_permit.so',
      'session optional pam_permit.so',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  pamFiles.add(file);
  if (!exitHooked) {
    exitHooked = true;
    // last resort if a test dies without calling stop()
    process.on('exit', () => {
      for (const f of pamFiles) rmSync(f, { force: true });
    });
  }
  return {
    name,
    remove: () => {
      rmSync(file, { force: true });
      pamFiles.delete(file);
    },
  };
}

/** Files (name -> content) are served to anonymous and to the user alike. */
export async function startVsftpd(files: Readonly<Record<string, string>>): Promise<FtpServer> {
  // fails clearly when the vsftpd package (which creates this user) is missing
  unixUser(FTP_SYSTEM_USER);
  const dir = makeTempDir('vsftpd');
  chmodSync(dir.path, 0o755);
  const user = 'haldirftp';
  const password = randomBytes(12).toString('hex');
  const home = join(dir.path, 'home');
  const anon = join(dir.path, 'anon');
  const empty = join(dir.path, 'empty');
  for (const d of [home, anon, empty]) mkdirSync(d, { mode: 0o755 });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(anon, name), content, { mode: 0o644 });
    writeFileSync(join(home, name), content, { mode: 0o644 });
  }
  const pam = pamService(dir.path, user, password);
  const cleanup = {
    remove: () => {
      pam.remove();
      dir.remove();
    },
  };
  const port = await freeTcpPort();
  const conf = join(dir.path, 'vsftpd.conf');
  writeFileSync(
    conf,
    [
      'listen=YES',
      'listen_ipv6=NO',
      'listen_address=127.0.0.1',
      `listen_port=${port}`,
      'background=NO',
      'anonymous_enable=YES',
      'no_anon_password=YES',
      `ftp_username=${FTP_SYSTEM_USER}`,
      `anon_root=${anon}`,
      'local_enable=YES',
      // every PAM-authenticated login is a guest mapped to the ftp system user
      'guest_enable=YES',
      `guest_username=${FTP_SYSTEM_USER}`,
      `local_root=${home}`,
      'chroot_local_user=YES',
      `pam_service_name=${pam.name}`,
      'nopriv_user=nobody',
      `secure_chroot_dir=${empty}`,
      'pasv_enable=YES',
      'pasv_address=127.0.0.1',
      'seccomp_sandbox=NO',
      'isolate=NO',
      'isolate_network=NO',
      'xferlog_enable=NO',
      'delay_failed_login=0',
      'max_login_fails=100',
      'vsftpd_log_file=/dev/null',
      '',
    ].join('\n'),
  );
  const stop = await startDaemonIn(cleanup, {
    name: 'vsftpd',
    command: '/usr/sbin/vsftpd',
    args: [conf],
    ready: [{ proto: 'tcp', port }],
  });
  return { port, user, password, stop };
}
