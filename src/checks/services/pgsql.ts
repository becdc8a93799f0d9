// negotiate check for service=pgsql (ldirectord check_pgsql -> check_sql with
// DBD::Pg, dbname=database): see lib/sql-check.ts for the decision.
import type { CheckResult, ServiceCheckContext } from '../types.js';
import { lazyModule } from './lib/lazy-module.js';
import { runSqlCheck, type SqlEngine, type SqlSession } from './lib/sql-check.js';

const loadPg = lazyModule(async () => (await import('pg')).default);

export const postgres: SqlEngine = {
  name: 'PostgreSQL',
  async connect(ctx, signal) {
    const pg = await loadPg();
    const client = new pg.Client({
      host: ctx.host,
      port: ctx.port,
      user: ctx.login,
      password: ctx.passwd,
      // libpq's default (the login name) when no database= is set, as DBD::Pg does.
      database: ctx.database || ctx.login,
      connectionTimeoutMillis: ctx.timeoutMs,
      application_name: 'haldir',
    });
    client.on('error', () => undefined);
    const onAbort = (): void => void client.end().catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    const session: SqlSession = {
      async query(sql) {
        const res = await client.query(sql);
        return res.rowCount ?? res.rows.length;
      },
      close: () => client.end(),
    };
    return session;
  },
};

export function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  return runSqlCheck(postgres, ctx, signal);
}
