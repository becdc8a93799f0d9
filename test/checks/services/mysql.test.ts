// service=mysql against Debian's MariaDB started on loopback.
import { check } from '../../../src/checks/services/mysql.js';
import { startMariadb } from '../../helpers/servers/mariadb.js';
import { describeSqlCheck } from './sql-suite.js';

describeSqlCheck({
  service: 'mysql',
  engine: 'MySQL',
  server: 'MariaDB',
  check,
  start: startMariadb,
  authError: /Access denied for user 'checker'/,
});
