// Debian's vsftpd on a loopback port from a private config: anonymous logins see the
// files in anon_root, and a local unix user (created once, its home moved to the temp
// dir, chrooted there) logs in with a password through PAM's vsftpd service.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemonIn } from './daemon.js';
import { freeTcpPort } from './ports.js';
import { makeTempDir, unixUser } from './tempdir.js';

const ANON_USER = 'haldirftpanon';

export interface FtpServer {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  stop(): Promise<void>;
}

/** Files (name -> content) are served to anonymous and to the user alike. */
export async function startVsftpd(files: Readonly<Record<string, string>>): Promise<FtpServer> {
  const dir = makeTempDir('vsftpd');
  chmodSync(dir.path, 0o755);
  const user = 'haldirftp';
  const password = 'Ftp-pw-42';
  unixUser(user);
  const home = join(dir.path, 'home');
  const anon = join(dir.path, 'anon');
  const empty = join(dir.path, 'empty');
  for (const d of [home, anon, empty]) mkdirSync(d, { mode: 0o755 });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(anon, name), content, { mode: 0o644 });
    writeFileSync(join(home, name), content, { mode: 0o644 });
  }
  // PAM's vsftpd service wants a shell listed in /etc/shells and a home that exists;
  // anonymous sessions chdir to the home of ftp_username, so that user gets one too.
  execFileSync('usermod', ['-d', home, '-s', '/bin/sh', user]);
  unixUser(ANON_USER);
  execFileSync('usermod', ['-d', anon, ANON_USER]);
  execFileSync('chpasswd', { input: `${user}:${password}\n` });
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
      `ftp_username=${ANON_USER}`,
      `anon_root=${anon}`,
      'local_enable=YES',
      'chroot_local_user=YES',
      'pam_service_name=vsftpd',
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
  const stop = await startDaemonIn(dir, {
    name: 'vsftpd',
    command: '/usr/sbin/vsftpd',
    args: [conf],
    ready: [{ proto: 'tcp', port }],
  });
  return { port, user, password, stop };
}
