// Reads the peer's status document (its status_listen) with got: one GET, no retries
// (the next probe round is the retry), a hard timeout shorter than the probe interval.

import got from 'got';
import type { HostPort } from '../vrrp-config/model.js';
import { STATUS_PATH, asStatusDocument } from './status-document.js';
import type { StatusDocument } from './status-document.js';
import { formatHostPort } from './status-server.js';

export interface PeerStatusReader {
  /**
   * localAddress: the source to connect from. During a split brain the VIP sits on both
   * nodes; a connection sourced from it (IPv6 source selection may pick a same-prefix VIP)
   * would be answered to the peer itself, so the caller pins our own address.
   */
  read(peer: HostPort, localAddress?: string): Promise<StatusDocument | undefined>;
}

export function statusUrl(peer: HostPort): string {
  return `http://${formatHostPort(peer)}${STATUS_PATH}`;
}

export function gotStatusReader(timeoutMs = 800): PeerStatusReader {
  return {
    async read(peer, localAddress) {
      try {
        const body: unknown = await got(statusUrl(peer), { timeout: { request: timeoutMs }, retry: { limit: 0 }, localAddress }).json();
        return asStatusDocument(body);
      } catch {
        return undefined;
      }
    },
  };
}
