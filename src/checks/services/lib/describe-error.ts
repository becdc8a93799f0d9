// One line of operator text for whatever a client library threw: the errno-style code
// first (ECONNREFUSED, ETIMEDOUT, CERT_HAS_EXPIRED...) because that is what tells the
// operator what to fix, then the library's message.
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return describeError(err.errors[err.errors.length - 1]);
  }
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    const msg = err.message || err.name;
    if (typeof code === 'string' && code !== '' && !msg.includes(code)) return `${code}: ${msg}`;
    return msg;
  }
  return String(err);
}
