// service=pgsql against Debian's PostgreSQL started on loopback.
import { check } from '../../../src/checks/services/pgsql.js';
import { startPostgres } from '../../helpers/servers/postgres.js';
import { describeSqlCheck } from './sql-suite.js';

describeSqlCheck({
  service: 'pgsql',
  engine: 'PostgreSQL',
  server: 'PostgreSQL',
  check,
  start: startPostgres,
  authError: /password authentication failed for user "checker"/,
});
