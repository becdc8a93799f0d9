// Reads the peer's status document (its status_listen) with got: one GET, no retries
// (the next probe round is the retry), a hard timeout shorter than the probe interval.

import got from 'got';
import type { HostPort } from '../vrrp-config/model.js';
import { STATUS_PATH, asStatusDocument } from './status-document.js';
import type { StatusDocument } from './status-document.js';
import { formatHostPort } from './status-server.js';

export interface PeerStatusReader {
  read(peer: HostPort): Promise<StatusDocument | undefined>;
}

export function statusUrl(peer: HostPort): string {
  return `http://${formatHostPort(peer)}${STATUS_PATH}`;
}

export function gotStatusReader(timeoutMs = 800): PeerStatusReader {
  return {
    async read(peer) {
      try {
        const body: unknown = await got(statusUrl(peer), { timeout: { request: timeoutMs }, retry: { limit: 0 } }).json();
        return asStatusDocument(body);
      } catch {
        return undefined;
      }
    },
  };
}
