// Debian's PostgreSQL (initdb + postgres, run as the `postgres` user) on a loopback
// port in a temp dir. The superuser `checker` has a password (scram over tcp), and
// database `health` holds table `up_flag` with one row and table `empty_flag` with none.
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startDaemonIn } from './daemon.js';
import { freeTcpPort } from './ports.js';
import { makeTempDir, unixUser } from './tempdir.js';

export interface PostgresServer {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  stop(): Promise<void>;
}

function pgBin(name: string): string {
  const version = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))[0];
  return `/usr/lib/postgresql/${version}/bin/${name}`;
}

export async function startPostgres(): Promise<PostgresServer> {
  const owner = unixUser('postgres');
  const dir = makeTempDir('pgsql', owner);
  const data = join(dir.path, 'data');
  const user = 'checker';
  const password = 'Pg-pw-123';
  const database = 'health';
  const pwfile = join(dir.path, 'pw');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  execFileSync('chown', [`${owner.uid}:${owner.gid}`, pwfile]);
  execFileSync(pgBin('initdb'), ['-D', data, '-U', user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--no-sync', '-E', 'UTF8'], {
    uid: owner.uid,
    gid: owner.gid,
    stdio: 'ignore',
  });
  const port = await freeTcpPort();
  const stop = await startDaemonIn(dir, {
    name: 'postgres',
    command: pgBin('postgres'),
    args: ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir.path, '-F', '-c', 'max_connections=20', '-c', 'shared_buffers=16MB'],
    uid: owner.uid,
    gid: owner.gid,
    ready: [{ proto: 'tcp', port }],
  });
  try {
    const setup = async (db: string, sql: string): Promise<void> => {
      const c = new pg.Client({ host: '127.0.0.1', port, user, password, database: db });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    // The port accepts before the server takes logins ("the database system is starting up").
    for (let i = 0; ; i++) {
      try {
        await setup('postgres', `CREATE DATABASE ${database}`);
        break;
      } catch (err) {
        if (i > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await setup(database, 'CREATE TABLE up_flag (ok int); INSERT INTO up_flag VALUES (1); CREATE TABLE empty_flag (ok int);');
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, user, password, database, stop };
}
