// The environment of the programs haldir runs on an operator's behalf: external checks
// (checktype=external / external-perl), VRRP notify and track scripts. They get a
// clean, documented environment instead of the daemon's own, which may hold secrets
// (credentials exported into the unit's environment, tokens of a wrapper script):
//   PATH  fixed to /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin (also
//         how a command named without a path, `script "pidof nginx"`, is found)
//   LANG, LANGUAGE, LC_* and TZ  copied from the daemon when set (messages and times
//         in the operator's locale and zone)
// Nothing else. ldirectord and keepalived pass their whole environment on; everything a
// check or notify script is told comes in its arguments, as there.

export const CHILD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const PASSED = /^(LANG|LANGUAGE|LC_[A-Z]+|TZ)$/;

export function childEnvironment(from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: CHILD_PATH };
  for (const [k, v] of Object.entries(from)) if (v !== undefined && PASSED.test(k)) env[k] = v;
  return env;
}
