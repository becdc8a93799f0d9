// Scheduler flags (-b): ipvsadm 1.31 parse_sched_flags / print_sched_flags. The kernel
// keeps three bits; their names depend on the scheduler (sh-fallback is flag-1 for sh,
// mh-port is flag-2 for mh...). haldir keeps the bits and renders names per scheduler,
// so "-b flag-1" and "-b sh-fallback" on an sh service compare equal.
import { IpvsError } from './types.js';
import type { SchedFlagBits } from './types.js';

const GENERIC = ['flag-1', 'flag-2', 'flag-3'] as const;
const NAMED: Readonly<Record<string, readonly [string, string]>> = {
  sh: ['sh-fallback', 'sh-port'],
  mh: ['mh-fallback', 'mh-port'],
};

/** Parses "-b" text; throws IPVS_SCHEDFLAGS_INVALID with ipvsadm's wording. */
export function parseSchedFlags(text: string | undefined, scheduler: string): SchedFlagBits {
  if (text === undefined || text.trim() === '') return 0;
  let bits = 0;
  for (const flag of text.split(',').map((f) => f.trim()).filter((f) => f !== '')) {
    const generic = GENERIC.indexOf(flag as (typeof GENERIC)[number]);
    if (generic >= 0) {
      bits |= 1 << generic;
      continue;
    }
    const owner = Object.entries(NAMED).find(([, names]) => names.includes(flag));
    if (!owner) {
      throw new IpvsError(
        'IPVS_SCHEDFLAGS_INVALID',
        `invalid scheduler flag \`${flag}' (schedflags takes flag-1, flag-2, flag-3, sh-fallback, sh-port, mh-fallback, mh-port, comma-separated)`,
      );
    }
    if (owner[0] !== scheduler) {
      throw new IpvsError(
        'IPVS_SCHEDFLAGS_INVALID',
        `incompatible scheduler flag \`${flag}' (only valid with scheduler=${owner[0]}; this virtual uses ${scheduler})`,
      );
    }
    bits |= 1 << owner[1].indexOf(flag);
  }
  return bits;
}

/** The comma-separated names ipvsadm prints for these bits ('' when none). */
export function renderSchedFlags(bits: SchedFlagBits, scheduler: string): string {
  const named = NAMED[scheduler];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    if (bits & (1 << i)) out.push(i < 2 && named ? named[i]! : GENERIC[i]!);
  }
  return out.join(',');
}
