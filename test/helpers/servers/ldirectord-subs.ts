// Source text of subs lifted out of the installed ldirectord 4.12, for tests that run
// ldirectord's own code under Perl side by side with haldir.
import { readFileSync } from 'node:fs';

export const LDIRECTORD = '/usr/sbin/ldirectord';

/** The named subs, verbatim (`sub NAME\n{ ... \n}`), in the order asked. */
export function ldirectordSubs(names: readonly string[]): string[] {
  const src = readFileSync(LDIRECTORD, 'utf8');
  return names.map((name) => {
    const m = new RegExp(`^sub ${name}\\n\\{[\\s\\S]*?^\\}`, 'm').exec(src);
    if (!m) throw new Error(`sub ${name} not found in ${LDIRECTORD}`);
    return m[0];
  });
}
