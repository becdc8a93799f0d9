// maintenancedir (ldirectord _check_real_for_maintenance L2941): a file named after the
// real forces it down with "Server in maintenance". Names tried, in ldirectord's order:
// IP:PORT, IP, FQDN:PORT, FQDN, SHORT:PORT, SHORT -- FQDN from reverse DNS, SHORT its
// first label when it matches /^([a-z][a-z0-9\-]+)\./. IPv6 reals are named "[addr]".
// The directory is listed at most once per dirCacheMs and reverse DNS is only asked for
// when the directory holds a name that is not an address form (so an empty or IP-only
// directory costs no DNS at all).
//
// Unlike ldirectord, a check never waits for reverse DNS: names are looked up in the
// background (name-cache.ts: at most two at a time, the last answer kept and refreshed
// after dnsTtlMs). Until a real's first answer arrives only its address forms count, so
// a slow or dead DNS server can delay an FQDN maintenance file by one lookup but never
// takes a real down or holds up its check (ldirectord's ld_gethostbyaddr blocks the
// whole check loop for the resolver's timeout, every real, every round).
import { readdir } from 'node:fs/promises';
import { promises as dns } from 'node:dns';
import net from 'node:net';
import type { Clock } from '../runtime/clock.js';
import { NameCache } from './name-cache.js';

export const MAINTENANCE_MESSAGE = 'Server in maintenance';

/**
 * Reverse lookup of a numeric address (no brackets): the name, undefined when the
 * address has none; rejects when the resolver could not answer (the last answer is kept).
 */
export type ReverseResolver = (ip: string) => Promise<string | undefined>;

/** getnameinfo(NI_NAMEREQD) as ld_gethostbyaddr L5311 does it: /etc/hosts, then DNS. */
export const systemReverseResolver: ReverseResolver = async (ip) => {
  try {
    const { hostname } = await dns.lookupService(ip, 0);
    return hostname && net.isIP(hostname) === 0 ? hostname : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTFOUND') return undefined;
    throw e;
  }
};

export function shortName(fqdn: string | undefined): string | undefined {
  return fqdn ? /^([a-z][a-z0-9-]+)\./.exec(fqdn)?.[1] : undefined;
}

/** The file names that put `server:port` in maintenance, in ldirectord's order. */
export function maintenanceNames(server: string, port: number, fqdn: string | undefined): string[] {
  const names = [`${server}:${port}`, server];
  if (fqdn) names.push(`${fqdn}:${port}`, fqdn);
  const short = shortName(fqdn);
  if (short) names.push(`${short}:${port}`, short);
  return names;
}

export interface MaintenanceOptions {
  readonly dirCacheMs?: number;
  readonly dnsTtlMs?: number;
  /** Reverse lookups running at once. */
  readonly maxLookups?: number;
}

export class MaintenanceDir {
  private listing: { at: number; names: Set<string>; hasNames: boolean } | undefined;
  private listingPending: Promise<Set<string>> | undefined;
  private readonly dirCacheMs: number;
  /** Reverse DNS answers, kept and refreshed in the background. */
  readonly reverseNames: NameCache<string | undefined>;

  constructor(
    private readonly dir: string,
    private readonly clock: Clock,
    resolver: ReverseResolver = systemReverseResolver,
    opts: MaintenanceOptions = {},
  ) {
    this.dirCacheMs = opts.dirCacheMs ?? 500;
    this.reverseNames = new NameCache(resolver, {
      clock,
      ttlMs: opts.dnsTtlMs ?? 300_000,
      ...(opts.maxLookups !== undefined ? { maxInFlight: opts.maxLookups } : {}),
    });
  }

  private async names(): Promise<Set<string>> {
    const now = this.clock.now();
    if (this.listing && now - this.listing.at < this.dirCacheMs) return this.listing.names;
    if (!this.listingPending) {
      this.listingPending = readdir(this.dir)
        .catch(() => [] as string[])
        .then((entries) => {
          const names = new Set(entries);
          const hasNames = entries.some((e) => net.isIP(e.replace(/^\[|\](:\d+)?$|:\d+$/g, '')) === 0);
          this.listing = { at: this.clock.now(), names, hasNames };
          this.listingPending = undefined;
          return names;
        });
    }
    return this.listingPending;
  }

  /** The matching file name when `server:port` is in maintenance, else undefined. Never waits for DNS. */
  async match(server: string, port: number): Promise<string | undefined> {
    const names = await this.names();
    if (names.size === 0) return undefined;
    for (const n of maintenanceNames(server, port, undefined)) if (names.has(n)) return n;
    if (!this.listing?.hasNames) return undefined;
    const fqdn = this.reverseNames.peek(server.replace(/^\[|\]$/g, '')).value;
    if (fqdn === undefined) return undefined;
    for (const n of maintenanceNames(server, port, fqdn)) if (names.has(n)) return n;
    return undefined;
  }
}
