// checktype=external and external-perl (ldirectord check_external L3486,
// check_external_perl L3514): run `checkcommand VIP|FWMARK VPORT RIP RPORT`; exit 0 = up.
// Like ldirectord's exec(LIST), checkcommand is the program path as a whole, never split
// on spaces nor given to a shell. external-perl runs the file with perl (ldirectord
// evals it in-process with @ARGV set; a separate perl has the same exit/die contract
// and cannot wedge the daemon).
import { describeOutcome, runChild } from './child-process.js';
import type { CheckResult } from './types.js';

export const PERL_BINARY = '/usr/bin/perl';

export async function checkExternal(
  kind: 'external' | 'external-perl',
  command: string,
  args: readonly string[],
  signal: AbortSignal,
): Promise<CheckResult> {
  const started = performance.now();
  const o =
    kind === 'external' ? await runChild(command, args, signal) : await runChild(PERL_BINARY, [command, ...args], signal);
  const ok = o.kind === 'exit' && o.code === 0;
  return { ok, message: `${command}: ${describeOutcome(o)}`, durationMs: performance.now() - started };
}
