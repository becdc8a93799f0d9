// Runs the real ldirectord (Debian package) as an oracle: `ldirectord [-d] CONFIG status`
// parses the whole config first, then exits 2 with "Error [PID] reading file X at line
// N: MSG" on a config error, or 3 ("stopped") when the config is fine.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceEnv } from '../helpers/reference-daemon.js';

export const LDIRECTORD = '/usr/sbin/ldirectord';

export function ldirectordAvailable(): boolean {
  return existsSync(LDIRECTORD) && (existsSync('/usr/sbin/ipvsadm') || existsSync('/sbin/ipvsadm'));
}

/**
 * Fails (never skips) when the oracle is missing: a comparison that did not run must not
 * look like one that passed. test/setup/system-deps.sh installs both packages.
 */
export function requireLdirectord(): void {
  if (!ldirectordAvailable()) throw new Error('ldirectord and ipvsadm are not installed: run `bash test/setup/system-deps.sh` as root (test/setup/apt-packages.d/config.txt lists them)');
}

export interface OracleOutcome {
  readonly exit: number;
  /** Line of the first error (exit 2), 0 when ldirectord gave none. */
  readonly line?: number;
  readonly message?: string;
}

/** Fixtures may use @TMP@ for a writable scratch directory. */
export function instantiate(text: string, dir: string): string {
  return text.replaceAll('@TMP@', dir);
}

export function runLdirectord(name: string, text: string, opts: { debug: boolean }): Promise<OracleOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'haldir-ld-'));
  // A unique basename keeps ldirectord's pid file (/var/run/ldirectord.NAME.pid, read by
  // `status`) apart from a host ldirectord's. Without -d (the logfile fixtures) ldirectord
  // logs to the fixture's logfile, which those fixtures point at @TMP@.
  const file = join(dir, `haldir-oracle-${process.pid}-${name}`);
  writeFileSync(file, instantiate(text, dir));
  const args = [...(opts.debug ? ['-d'] : []), file, 'status'];
  return new Promise((resolve) => {
    execFile(LDIRECTORD, args, { cwd: dir, env: referenceEnv(dir), timeout: 30000 }, (err, _stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      const exit = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      const m = /^Error \[\d+\] reading file .* at line (\d+): (.*)$/m.exec(stderr);
      // the scratch dir differs per run; recorded messages name it @TMP@
      resolve(m ? { exit, line: parseInt(m[1]!, 10), message: m[2]!.trim().replaceAll(dir, '@TMP@') } : { exit });
    });
  });
}
