// Compiles a `receive` string (a Perl regex in ldirectord syntax) into a JS RegExp.
// The config parser owns the Perl -> JS translation (src/config/perl-regex.ts); until a
// config hands us its compiled form we fall back to JS syntax, which covers what real
// configs use (literal text, ., *, [..], anchors). ldirectord treats a receive that does
// not match /.+/ as "no receive" (check_http L3055), so '' compiles to undefined.

export type ReceiveCompiler = (src: string) => RegExp;

let compiler: ReceiveCompiler = (src) => new RegExp(src);

/** Lets the daemon plug in the config module's Perl-regex translator. */
export function setReceiveCompiler(fn: ReceiveCompiler): void {
  compiler = fn;
}

export function compileReceive(src: string): RegExp | undefined {
  if (src === '') return undefined;
  return compiler(src);
}
