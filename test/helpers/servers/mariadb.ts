// Debian's MariaDB (mariadb-install-db + mariadbd as the `mysql` user) on a loopback
// port in a temp dir. User `checker` (password) may read database `health`, which holds
// table `up_flag` with one row and table `empty_flag` with none.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startDaemonIn } from './daemon.js';
import { freeTcpPort } from './ports.js';
import { makeTempDir, unixUser } from './tempdir.js';

export interface MariadbServer {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  stop(): Promise<void>;
}

export async function startMariadb(): Promise<MariadbServer> {
  const owner = unixUser('mysql');
  const dir = makeTempDir('mariadb', owner);
  const data = join(dir.path, 'data');
  const socket = join(dir.path, 'mysqld.sock');
  const user = 'checker';
  const password = 'My-pw-456';
  const database = 'health';
  execFileSync(
    '/usr/bin/mariadb-install-db',
    ['--no-defaults', `--datadir=${data}`, `--user=${owner.name}`, '--auth-root-authentication-method=socket', '--skip-test-db'],
    { stdio: 'ignore' },
  );
  const port = await freeTcpPort();
  const stop = await startDaemonIn(dir, {
    name: 'mariadbd',
    command: '/usr/sbin/mariadbd',
    args: [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--pid-file=${join(dir.path, 'mysqld.pid')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--user=${owner.name}`,
      '--skip-log-bin',
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=16M',
      '--innodb-log-file-size=8M',
      '--log-error=',
    ],
    ready: [{ proto: 'tcp', port }],
    readyTimeoutMs: 60_000,
  });
  try {
    // root logs in over the unix socket by unix_socket auth (we are root).
    const root = await mysql.createConnection({ socketPath: socket, user: 'root', multipleStatements: true });
    try {
      await root.query(
        `CREATE DATABASE ${database};
         CREATE TABLE ${database}.up_flag (ok INT); INSERT INTO ${database}.up_flag VALUES (1);
         CREATE TABLE ${database}.empty_flag (ok INT);
         CREATE USER '${user}'@'%' IDENTIFIED BY '${password}';
         GRANT SELECT ON ${database}.* TO '${user}'@'%';`,
      );
    } finally {
      await root.end();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, user, password, database, stop };
}
