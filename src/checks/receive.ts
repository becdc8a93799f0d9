// Compiles a `receive` string (a Perl regex in ldirectord syntax) into a JS RegExp with
// the config module's translator (src/config/perl-regex.ts). ldirectord treats a
// receive that does not match /.+/ as "no receive" (check_http L3055), so '' compiles
// to undefined. The config parser already rejected untranslatable regexes (E-REGEX);
// should one reach us anyway, it matches nothing, so the check fails visibly.
import { compilePerlRegex } from '../config/perl-regex.js';

const NEVER = /(?!)/;

export function compileReceive(src: string): RegExp | undefined {
  if (src === '') return undefined;
  try {
    return compilePerlRegex(src);
  } catch {
    return NEVER;
  }
}
