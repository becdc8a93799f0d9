// Debian's slapd on two loopback ports (ldap:// and ldaps:// with a self-signed
// certificate), from a private slapd.conf and an mdb database filled with slapadd:
// dc=haldir,dc=test, ou=people under it, and the admin `cn=admin,dc=haldir,dc=test`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemonIn } from './daemon.js';
import { freeTcpPort } from './ports.js';
import { makeTempDir, selfSignedCert } from './tempdir.js';

export interface LdapServer {
  readonly ldap: number;
  readonly ldaps: number;
  readonly suffix: string;
  readonly adminDn: string;
  readonly adminPassword: string;
  stop(): Promise<void>;
}

const SUFFIX = 'dc=haldir,dc=test';
const ADMIN = `cn=admin,${SUFFIX}`;

const TREE = `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
dc: haldir
o: haldir test

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=hosts,${SUFFIX}
objectClass: organizationalUnit
ou: hosts
`;

export async function startSlapd(): Promise<LdapServer> {
  const dir = makeTempDir('slapd');
  const adminPassword = 'Ldap-pw-789';
  const db = join(dir.path, 'db');
  mkdirSync(db);
  const { cert, key } = selfSignedCert(dir.path);
  const conf = join(dir.path, 'slapd.conf');
  writeFileSync(
    conf,
    `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
pidfile ${dir.path}/slapd.pid
argsfile ${dir.path}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCertificateFile ${cert}
TLSCertificateKeyFile ${key}
database mdb
maxsize 10485760
suffix "${SUFFIX}"
rootdn "${ADMIN}"
rootpw ${adminPassword}
directory ${db}
access to * by * read
`,
  );
  writeFileSync(join(dir.path, 'tree.ldif'), TREE);
  execFileSync('/usr/sbin/slapadd', ['-f', conf, '-l', join(dir.path, 'tree.ldif')], { stdio: 'ignore' });
  const [ldap, ldaps] = [await freeTcpPort(), await freeTcpPort()];
  const stop = await startDaemonIn(dir, {
    name: 'slapd',
    command: '/usr/sbin/slapd',
    args: ['-d', '0', '-f', conf, '-h', `ldap://127.0.0.1:${ldap}/ ldaps://127.0.0.1:${ldaps}/`],
    ready: [
      { proto: 'tcp', port: ldap },
      { proto: 'tcp', port: ldaps },
    ],
  });
  return { ldap, ldaps, suffix: SUFFIX, adminDn: ADMIN, adminPassword, stop };
}
