// Secrets in vrrp.cf (status_secret, smtppasswd) never reach configtest --json's output:
// it ends up in logs and tickets. (W-SECRET-READABLE for the file's mode is the shared
// check in src/config/secret-file.ts.)

/** configtest --json: the model with secret values replaced (they would end up in logs and tickets). */
export function redactSecrets(key: string, value: unknown): unknown {
  return (key === 'statusSecret' || key === 'smtppasswd') && typeof value === 'string' ? '(set)' : value;
}
