// One line of operator text for whatever a client library threw: the errno-style code
// first (ECONNREFUSED, ETIMEDOUT, CERT_HAS_EXPIRED...) because that is what tells the
// operator what to fix, then the library's message.
export function describeError(err: unknown): string {
  return oneLine(describe(err));
}

/** Monitor files and logs are line-based: multi-line driver messages become one line. */
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, '; ').trim();

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return describe(err.errors[err.errors.length - 1]);
  }
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    const msg = err.message || err.name;
    if (typeof code === 'string' && code !== '' && !msg.includes(code)) return `${code}: ${msg}`;
    return msg;
  }
  return String(err);
}
