// Peer liveness over another path than VRRP: an ICMP echo to the peer director with the
// `ping` package (it runs the system ping). A peer that answers ping while its adverts
// timed out is the classic split-brain precursor (VRRP filtered, frozen VRRP process).

import ping from 'ping';

export interface PeerPinger {
  /** source: our own address to ping from (never a VIP: see status-client.ts). */
  alive(host: string, source?: string): Promise<boolean>;
}

export function systemPinger(timeoutS = 1): PeerPinger {
  return {
    async alive(host, source) {
      try {
        const r = await ping.promise.probe(host, { timeout: timeoutS, min_reply: 1, v6: host.includes(':'), extra: source ? ['-I', source] : [] });
        return r.alive;
      } catch {
        return false;
      }
    },
  };
}
