// negotiate check for service=oracle (ldirectord check_oracle -> check_sql with
// DBD::Oracle, sid=database): see lib/sql-check.ts for the decision. node-oracledb in
// thin mode talks TNS itself; the database directive is the SID, as in ldirectord's
// "dbi:Oracle:sid=DATABASE;host=...;port=..." (the service name when it is not set).
import type { CheckResult, ServiceCheckContext } from '../types.js';
import { loadOracledb } from './lib/oracledb-client.js';
import { runSqlCheck, type SqlEngine, type SqlSession } from './lib/sql-check.js';

/** A TNS connect descriptor for the real server. */
export function oracleConnectString(host: string, port: number, sid: string): string {
  const data = sid === '' ? '' : `(SID=${sid})`;
  return `(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=${host})(PORT=${port}))(CONNECT_DATA=${data}))`;
}

export const oracle: SqlEngine = {
  name: 'Oracle',
  async connect(ctx, signal) {
    const seconds = Math.max(1, Math.ceil(ctx.timeoutMs / 1000));
    const oracledb = await loadOracledb();
    const pending = oracledb.getConnection({
      user: ctx.login,
      password: ctx.passwd,
      connectString: oracleConnectString(ctx.host, ctx.port, ctx.database),
      connectTimeout: seconds,
      transportConnectTimeout: seconds,
    });
    // getConnection cannot be cancelled: close the connection if it arrives late.
    signal.addEventListener('abort', () => void pending.then((c) => c.close(), () => undefined).catch(() => undefined), { once: true });
    const conn = await pending;
    const session: SqlSession = {
      async query(sql) {
        const res = await conn.execute(sql, [], { maxRows: 1 });
        return res.rows ? res.rows.length : (res.rowsAffected ?? 0);
      },
      close: () => conn.close(),
    };
    return session;
  },
};

export function check(ctx: ServiceCheckContext, signal: AbortSignal): Promise<CheckResult> {
  return runSqlCheck(oracle, ctx, signal);
}
