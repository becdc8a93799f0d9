// The contract between the scheduler and every check. A check does I/O and returns
// data; it never throws for a dead backend, never logs, never touches failurecount
// (the tracker owns that). Shaped after google/seesaw's check Result.
import type { Receive } from './receive.js';
import type { AddressFamily, HttpMethod, ServiceName, VirtualProtocol } from '../config/model.js';

export interface CheckResult {
  readonly ok: boolean;
  /** Short human text: why it failed, or what succeeded ("HTTP 200", "connect ok"). */
  readonly message: string;
  readonly durationMs: number;
  /**
   * Longer operator text (errno, server reply...) when `message` must keep ldirectord's
   * exact wording because it reaches the monitorfile (ldap, dns: "Response mismatch").
   */
  readonly detail?: string;
  /**
   * A problem of the configuration rather than of the real (a receive regex that ran out
   * of time on this real's answer): the scheduler logs it when it first appears.
   */
  readonly warning?: string;
}

/** Everything a negotiate service check needs, already resolved from the config. */
export interface ServiceCheckContext {
  readonly service: ServiceName;
  readonly family: AddressFamily;
  /** Numeric address of the real server (IPv6 without brackets). */
  readonly host: string;
  /** Port to connect to (ld_checkport). */
  readonly port: number;
  /** Virtual service address and port, for checks that need them (external, http_proxy). */
  readonly virtualAddress: string | undefined;
  readonly virtualPort: number;
  /** Effective request ('/' by default; for sql the query, for dns the name...). */
  readonly request: string;
  /** Compiled receive regex (translated from Perl syntax, matched without blocking); undefined = no receive set. */
  readonly receive: Receive | undefined;
  readonly httpmethod: HttpMethod;
  readonly virtualhost: string | undefined;
  readonly login: string;
  readonly passwd: string;
  readonly database: string;
  readonly secret: string;
  /** Milliseconds; the check must settle by then (the scheduler also aborts the signal). */
  readonly timeoutMs: number;
  /** This host's name, for defaults such as sip's ldirectord@HOST. */
  readonly hostname: string;
  /**
   * The virtual's protocol. dns (usevc) and sip (ld_open_socket) talk udp only when it
   * is 'udp'; anything else, or undefined, means tcp for sip and udp for dns (Net::DNS).
   */
  readonly protocol?: VirtualProtocol;
  /**
   * The virtual's checktimeout in milliseconds. ldap and radius run under ldirectord's
   * `alarm $$v{checktimeout}` as well as negotiatetimeout, so they settle by the smaller.
   */
  readonly checkTimeoutMs?: number;
}

/** One negotiate service (src/checks/services/NAME.ts exports `check`). */
export type ServiceCheck = (ctx: ServiceCheckContext, signal: AbortSignal) => Promise<CheckResult>;
