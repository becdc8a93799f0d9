// The file that holds status_secret must be readable by root only: anyone who reads the
// key can sign status documents and make the other director believe a second master
// exists (docs/splitbrain.md, threat model). Pure: the caller stats the file and passes
// its mode; configtest and haldir-vrrp start print what this returns.

import type { Diagnostic } from '../config/model.js';
import type { VrrpConfig } from './model.js';

export function statusSecretReadableWarning(file: string, mode: number, cfg: Pick<VrrpConfig, 'global'>): Diagnostic | undefined {
  if (cfg.global.statusSecret === undefined || (mode & 0o004) === 0) return undefined;
  const perms = (mode & 0o777).toString(8).padStart(4, '0');
  return {
    severity: 'warning',
    code: 'W-STATUS-SECRET-READABLE',
    message: `${file} holds status_secret but every user can read it (mode ${perms}); run: chmod 600 ${file}`,
    file,
    line: cfg.global.source?.line ?? 1,
    column: 1,
  };
}

/** configtest --json: the model with secret values replaced (they would end up in logs and tickets). */
export function redactSecrets(key: string, value: unknown): unknown {
  return (key === 'statusSecret' || key === 'smtppasswd') && typeof value === 'string' ? '(set)' : value;
}
