// Temp dirs for server data, optionally owned by the unprivileged user a daemon runs as.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly path: string;
  remove(): void;
}

export function makeTempDir(prefix: string, owner?: { uid: number; gid: number }): TempDir {
  const path = mkdtempSync(join(tmpdir(), `haldir-${prefix}-`));
  if (owner) chownSync(path, owner.uid, owner.gid);
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface UnixUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Looks up (or, as root, creates) a system user for daemons that refuse to run as root. */
export function unixUser(name: string): UnixUser {
  const id = (flag: string): number => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  try {
    return { name, uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '--user-group', name]);
    return { name, uid: id('-u'), gid: id('-g') };
  }
}

/** Self-signed certificate + key (PEM files) for the TLS variants of a server. */
export function selfSignedCert(dir: string, cn = 'localhost'): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${cn}`, '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
