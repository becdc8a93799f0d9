// Tests that start Debian daemons need root (they run them as their own users, chown
// data dirs, create test users, bind the imap port). CI runs as root; elsewhere they
// skip with this reason.
export const needsRoot: string | false =
  process.getuid?.() === 0 ? false : 'needs root: starts Debian daemons as their own unprivileged users (CI runs as root)';
