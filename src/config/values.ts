// ldirectord's value checks, reproduced with their leniencies so haldir accepts exactly
// what ldirectord accepts; each leniency is reported back so the parser can warn.

/** `$v =~ /(\d+)/`: the first run of digits anywhere in the value. */
export interface DigitsFound {
  readonly digits: string;
  readonly value: number;
  /** True when the value had other text than the digits (ignored by ldirectord). */
  readonly extra: boolean;
}

export function firstDigits(v: string): DigitsFound | undefined {
  const m = /(\d+)/.exec(v);
  if (!m) return undefined;
  return { digits: m[1]!, value: parseInt(m[1]!, 10), extra: v.trim() !== m[1] };
}

/** Perl truthiness of a digit string: only "0" (and "") are false; "00" is true. */
export function perlTrue(digits: string): boolean {
  return digits !== '' && digits !== '0';
}

export type YesNo = 'yes' | 'no';

/** `($1 eq "yes" || $1 eq "no")`: exact, trailing spaces and \r included. */
export function exactYesNo(v: string): YesNo | undefined {
  return v === 'yes' || v === 'no' ? v : undefined;
}

/** Explains why a yes/no value that is "almost" right fails. */
export function yesNoHint(v: string): string {
  if (/\r$/.test(v)) return ' (the line ends in \\r: the file has Windows line endings; convert it with dos2unix)';
  if (/^(yes|no)\s+$/.test(v)) return ' (remove the trailing whitespace)';
  if (/^(yes|no)\s*#/.test(v)) return ' (a global directive cannot carry a # comment; put the comment on its own line)';
  if (/^(YES|Yes|NO|No|true|false|on|off|1|0)$/.test(v)) return ' (write it in lower case: yes or no)';
  return '';
}

export const DAEMON_STATUSES = ['starting', 'running', 'stopping', 'reloading'] as const;

/** parse_emailalertstatus: comma list of all|none|starting|running|stopping|reloading. */
export function parseEmailAlertStatus(v: string): { statuses: (typeof DAEMON_STATUSES)[number][] } | { error: string } {
  const items = v === '' ? [] : v.split(/[ \t\n\r\f\v]*,[ \t\n\r\f\v]*/);
  // Perl's split drops trailing empty fields.
  while (items.length > 0 && items[items.length - 1] === '') items.pop();
  const none = items.includes('none');
  const set = new Set<(typeof DAEMON_STATUSES)[number]>();
  for (const i of items) {
    if (i === 'none') continue;
    if (i === 'all') for (const s of DAEMON_STATUSES) set.add(s);
    else if ((DAEMON_STATUSES as readonly string[]).includes(i)) set.add(i as (typeof DAEMON_STATUSES)[number]);
    else return { error: `invalid email alert status \`${i}\`: use all, none, or a comma list of starting, running, stopping, reloading` };
    if (none) return { error: `email alert status \`${i}\` cannot be combined with \`none\`` };
  }
  return { statuses: DAEMON_STATUSES.filter((s) => set.has(s)) };
}

/** read_emailalert: strips one pair of enclosing quotes. */
export function stripEnclosingQuotes(v: string): string {
  const m = /^"([^"]*)"$/.exec(v);
  return m ? m[1]! : v;
}

/** Recipients of an emailalert value: ldirectord hands the string to the mailer; haldir splits on commas. */
export function splitRecipients(v: string): string[] {
  return v
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
