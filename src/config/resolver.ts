// The parser's window on the outside world, injected so parsing stays pure: host and
// service names, this host's name, and the file-system facts ldirectord checks while it
// reads the config (maintenancedir exists, monitorfile/logfile can be appended to).
import type { AddressFamily } from './model.js';

export interface ConfigResolver {
  /** Numeric address of a host name (not a literal) in this family, like getaddrinfo; undefined when it does not resolve. */
  host(name: string, family: AddressFamily): string | undefined;
  /** Port of a service name (getservbyname); protocol '' means any protocol. */
  service(name: string, protocol: string): number | undefined;
  /** This host's name ($HOSTNAME, else uname), for ftp/sip login defaults. */
  hostname(): string;
  isDirectory(path: string): boolean;
  /** undefined when the file can be opened for append; otherwise the reason (e.g. "No such file or directory"). */
  appendError(path: string): string | undefined;
  /** st_mode of a file (for W-SECRET-READABLE); undefined when unknown. */
  fileMode?(path: string): number | undefined;
}

/** A resolver from plain tables, for tests and for the loader's second pass. */
export interface StaticResolverData {
  readonly hosts?: Readonly<Record<string, { readonly inet?: string; readonly inet6?: string }>>;
  readonly services?: Readonly<Record<string, { readonly tcp?: number; readonly udp?: number }>>;
  readonly hostname?: string;
  readonly directories?: readonly string[];
  /** Paths (or directory prefixes ending in '/') that cannot be appended to, with the reason. */
  readonly unwritable?: Readonly<Record<string, string>>;
  /** st_mode of files by path. */
  readonly fileModes?: Readonly<Record<string, number>>;
}

export function staticResolver(data: StaticResolverData): ConfigResolver {
  return {
    host: (name, family) => data.hosts?.[name]?.[family],
    service: (name, protocol) => {
      const s = data.services?.[name];
      if (!s) return undefined;
      if (protocol === 'tcp' || protocol === 'udp') return s[protocol];
      if (protocol === '') return s.tcp ?? s.udp;
      return undefined;
    },
    hostname: () => data.hostname ?? 'localhost',
    isDirectory: (p) => (data.directories ?? []).includes(p.replace(/\/+$/, '')),
    appendError: (p) => {
      for (const [k, why] of Object.entries(data.unwritable ?? {})) {
        if (p === k || (k.endsWith('/') && p.startsWith(k))) return why;
      }
      return undefined;
    },
    fileMode: (p) => data.fileModes?.[p],
  };
}

/** Common /etc/services entries, so unit tests and fuzzing need no file system. */
export const COMMON_SERVICES: Readonly<Record<string, { tcp?: number; udp?: number }>> = {
  ftp: { tcp: 21 },
  ssh: { tcp: 22 },
  smtp: { tcp: 25 },
  domain: { tcp: 53, udp: 53 },
  http: { tcp: 80 },
  www: { tcp: 80 },
  pop3: { tcp: 110 },
  nntp: { tcp: 119 },
  imap2: { tcp: 143 },
  imap: { tcp: 143 },
  ldap: { tcp: 389, udp: 389 },
  https: { tcp: 443, udp: 443 },
  submission: { tcp: 587 },
  ldaps: { tcp: 636, udp: 636 },
  imaps: { tcp: 993 },
  pop3s: { tcp: 995 },
  mysql: { tcp: 3306 },
  postgresql: { tcp: 5432 },
  sip: { tcp: 5060, udp: 5060 },
  radius: { udp: 1812 },
  'http-alt': { tcp: 8080 },
};
