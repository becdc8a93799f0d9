// The shared body of the mysql, pgsql and oracle checks (ldirectord check_sql, L3375):
// a login and a request (the SQL query, its leading '/' removed) are required; connect
// with login/passwd/database, run the query, and call the real up when it returned
// (or touched) at least one row. ldirectord runs the statement twice (once to see
// errors, once to count rows); haldir runs it once.
import type { CheckResult, ServiceCheckContext } from '../../types.js';
import { describeError } from './describe-error.js';
import { down, runCheck, up, type Verdict } from './run-check.js';

export interface SqlSession {
  /** Runs the statement; resolves to the number of rows returned (or affected). */
  query(sql: string): Promise<number>;
  close(): Promise<void>;
}

export interface SqlEngine {
  /** Operator-facing name: "MySQL", "PostgreSQL", "Oracle". */
  readonly name: string;
  /** Connects and logs in; must give up (reject) when `signal` fires. */
  connect(ctx: ServiceCheckContext, signal: AbortSignal): Promise<SqlSession>;
}

export function sqlQueryOf(request: string): string {
  return request.replace(/^\//, '');
}

/** check_sql's precondition, before any I/O. */
export function sqlPrecondition(engine: string, ctx: ServiceCheckContext): Verdict | undefined {
  if (ctx.login === '' || sqlQueryOf(ctx.request) === '') {
    return down(`${engine}: set login= and request= (the SQL query) for this virtual; without them ldirectord never adds the real`);
  }
  return undefined;
}

export function runSqlCheck(engine: SqlEngine, ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  return runCheck(ctx, signal, async (sig) => {
    const refused = sqlPrecondition(engine.name, ctx);
    if (refused) return refused;
    let session: SqlSession;
    try {
      session = await engine.connect(ctx, sig);
    } catch (err) {
      return down(`${engine.name}: cannot connect or log in as ${ctx.login}: ${describeError(err)}`);
    }
    if (sig.aborted) {
      await session.close().catch(() => undefined);
      return down('check aborted');
    }
    const onAbort = (): void => void session.close().catch(() => undefined);
    sig.addEventListener('abort', onAbort, { once: true });
    try {
      const rows = await session.query(sqlQueryOf(ctx.request));
      return rows > 0 ? up(`${engine.name}: query returned ${rows} row(s)`) : down(`${engine.name}: query returned no rows`);
    } catch (err) {
      return down(`${engine.name}: query failed: ${describeError(err)}`);
    } finally {
      sig.removeEventListener('abort', onAbort);
      await session.close().catch(() => undefined);
    }
  });
}
