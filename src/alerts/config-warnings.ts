// A config file that holds smtppasswd (haldir extension) must not be readable by every
// local user. Pure: the caller stats the file and passes the mode.

export interface PermissionWarning {
  readonly code: 'W-SMTPPASSWD-READABLE';
  readonly message: string;
}

/**
 * A warning when `mode` (st_mode or its permission bits) lets other users read a file
 * that holds an SMTP password, else undefined.
 */
export function smtpPasswordWarning(file: string, mode: number, holdsPassword: boolean): PermissionWarning | undefined {
  if (!holdsPassword || (mode & 0o004) === 0) return undefined;
  const perms = (mode & 0o777).toString(8).padStart(4, '0');
  return {
    code: 'W-SMTPPASSWD-READABLE',
    message:
      `${file} holds smtppasswd but is readable by every user (mode ${perms}); ` +
      `run: chmod 600 ${file}`,
  };
}
