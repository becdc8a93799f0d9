// negotiate check for service=mysql (ldirectord check_mysql -> check_sql with
// DBD::mysql, database=database): see lib/sql-check.ts for the decision.
import type { CheckResult, ServiceCheckContext } from '../types.js';
import { lazyModule } from './lib/lazy-module.js';
import { runSqlCheck, type SqlEngine, type SqlSession } from './lib/sql-check.js';

const loadMysql = lazyModule(async () => (await import('mysql2/promise')).default);

export const mariadb: SqlEngine = {
  name: 'MySQL',
  async connect(ctx, signal) {
    const mysql = await loadMysql();
    const pending = mysql.createConnection({
      host: ctx.host,
      port: ctx.port,
      user: ctx.login,
      password: ctx.passwd,
      database: ctx.database || undefined,
      connectTimeout: ctx.timeoutMs,
    });
    // createConnection cannot be cancelled: close the connection if it arrives late.
    signal.addEventListener('abort', () => void pending.then((c) => c.destroy(), () => undefined), { once: true });
    const conn = await pending;
    const session: SqlSession = {
      async query(sql) {
        const [result] = await conn.query(sql);
        return Array.isArray(result) ? result.length : result.affectedRows;
      },
      async close() {
        conn.destroy();
      },
    };
    return session;
  },
};

export function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  return runSqlCheck(mariadb, ctx, signal);
}
