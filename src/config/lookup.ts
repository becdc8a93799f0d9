// Where ldirectord finds its config (ld_init, L1010): /etc/ha.d/NAME, then
// /etc/ha.d/conf/NAME, then NAME as a path. The directory is injectable (HALDIR_CONFDIR)
// so tests need not write /etc.
import { statSync } from 'node:fs';

export interface LookupFs {
  isFile(path: string): boolean;
}

export const nodeLookupFs: LookupFs = {
  isFile: (p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  },
};

export const DEFAULT_CONFDIR = '/etc/ha.d';

/** Candidate paths in ldirectord's order (string concatenation, as Perl does: an absolute NAME gives "/etc/ha.d//abs"). */
export function configCandidates(name: string, confDir = DEFAULT_CONFDIR): string[] {
  return [`${confDir}/${name}`, `${confDir}/conf/${name}`, name];
}

/** The config file ldirectord would read, or undefined ("Config file NAME not found"). */
export function findConfigFile(name: string, confDir = DEFAULT_CONFDIR, fs: LookupFs = nodeLookupFs): string | undefined {
  return configCandidates(name, confDir).find((p) => fs.isFile(p));
}

/** CFGNAME: the basename, used for pid files and log lines. */
export function configBaseName(path: string): string {
  return /([^/]+)$/.exec(path)?.[1] ?? path;
}
