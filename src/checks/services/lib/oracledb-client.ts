// Typed face of node-oracledb (it ships no types) in thin mode: pure JavaScript, no
// Oracle Client libraries, which is why haldir can use it everywhere.
import { createRequire } from 'node:module';
import { lazyModule } from './lazy-module.js';

export interface OracleConnectOptions {
  readonly user: string;
  readonly password: string;
  readonly connectString: string;
  /** Seconds for the whole connect (thin mode). */
  readonly connectTimeout: number;
  /** Seconds for the TCP connect alone. */
  readonly transportConnectTimeout: number;
}

export interface OracleConnection {
  execute(sql: string, binds: readonly unknown[], options: { maxRows: number }): Promise<{ rows?: unknown[]; rowsAffected?: number }>;
  close(): Promise<void>;
}

interface OracleDb {
  getConnection(options: OracleConnectOptions): Promise<OracleConnection>;
}

/** Loaded on first use (see lazy-module.ts). */
export const loadOracledb = lazyModule(async () => createRequire(import.meta.url)('oracledb') as OracleDb);
