// Writing vrrp.cf values so that `ini` reads back exactly the same string.

/**
 * ini (unsafe()) cuts unquoted values at ';' or '#', eats backslashes before them,
 * trims, and unquotes values that start and end with a quote. JSON-quoting is the one
 * form it reads back verbatim (JSON.parse), so use it whenever a plain value would change.
 */
export function iniValue(v: string): string {
  const plainIsSafe = v === v.trim() && !/[;#"'\\]/.test(v) && v !== '';
  return plainIsSafe ? v : JSON.stringify(v);
}

export function iniLine(key: string, value: string): string {
  return `${key} = ${iniValue(value)}`;
}
