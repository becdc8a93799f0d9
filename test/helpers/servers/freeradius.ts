// Debian's FreeRADIUS 3 on a loopback port from a minimal private raddb: one client
// (127.0.0.1 with `secret`), one user (files module, PAP), no reject delay.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemonIn } from './daemon.js';
import { freePort } from './ports.js';
import { makeTempDir } from './tempdir.js';

export interface RadiusServer {
  readonly port: number;
  readonly secret: string;
  readonly user: string;
  readonly password: string;
  stop(): Promise<void>;
}

export async function startFreeradius(): Promise<RadiusServer> {
  const dir = makeTempDir('freeradius');
  const secret = 'haldir-shared-secret';
  const user = 'probe';
  const password = 'Radius-pw-7';
  const port = await freePort();
  for (const d of ['log', 'run']) mkdirSync(join(dir.path, d));
  writeFileSync(join(dir.path, 'users'), `${user} Cleartext-Password := "${password}"\n`);
  writeFileSync(join(dir.path, 'dictionary'), '');
  writeFileSync(
    join(dir.path, 'radiusd.conf'),
    `prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = ${dir.path}/log
raddbdir = ${dir.path}
radacctdir = ${dir.path}/log
name = freeradius
confdir = ${dir.path}
modconfdir = ${dir.path}
run_dir = ${dir.path}/run
db_dir = ${dir.path}
libdir = /usr/lib/freeradius
pidfile = ${dir.path}/run/radiusd.pid
dictdir = /usr/share/freeradius
max_request_time = 30
cleanup_delay = 0
max_requests = 1024
hostname_lookups = no
log {
  destination = stderr
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
}
thread pool {
  start_servers = 1
  max_servers = 2
  min_spare_servers = 1
  max_spare_servers = 2
}
client local {
  ipaddr = 127.0.0.1
  secret = ${secret}
}
modules {
  files {
    filename = ${dir.path}/users
  }
  pap {
  }
}
server haldir {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${port}
  }
  authorize {
    files
    pap
  }
  authenticate {
    Auth-Type PAP {
      pap
    }
  }
}
`,
  );
  const stop = await startDaemonIn(dir, {
    name: 'freeradius',
    command: '/usr/sbin/freeradius',
    args: ['-f', '-l', 'stdout', '-d', dir.path],
    ready: [{ proto: 'udp', port }],
  });
  return { port, secret, user, password, stop };
}
