// Service name -> negotiate check. One module per protocol family; the TLS variants
// (https, imaps, pops, ldaps) and siblings (submission = smtp, http_proxy = http) share a
// module and read ctx.service to choose.
import type { ServiceName } from '../../config/model.js';
import type { ServiceCheck } from '../types.js';
import * as dns from './dns.js';
import * as ftp from './ftp.js';
import * as http from './http.js';
import * as imap from './imap.js';
import * as ldap from './ldap.js';
import * as mysql from './mysql.js';
import * as nntp from './nntp.js';
import * as none from './none.js';
import * as oracle from './oracle.js';
import * as pgsql from './pgsql.js';
import * as pop from './pop.js';
import * as radius from './radius.js';
import * as simpletcp from './simpletcp.js';
import * as sip from './sip.js';
import * as smtp from './smtp.js';

export const serviceChecks: Readonly<Record<ServiceName, ServiceCheck>> = {
  dns: dns.check,
  ftp: ftp.check,
  http: http.check,
  https: http.check,
  http_proxy: http.check,
  imap: imap.check,
  imaps: imap.check,
  ldap: ldap.check,
  ldaps: ldap.check,
  mysql: mysql.check,
  nntp: nntp.check,
  none: none.check,
  oracle: oracle.check,
  pgsql: pgsql.check,
  pop: pop.check,
  pops: pop.check,
  radius: radius.check,
  simpletcp: simpletcp.check,
  sip: sip.check,
  smtp: smtp.check,
  submission: smtp.check,
};
