// The IPVS table as haldir reasons about it: what `ipvsadm -L -n` (plus --thresholds)
// shows, keyed the way the kernel keys it. Everything here is plain data so the
// planners (src/pool, src/ipvs/plan.ts) stay pure and the backends interchangeable.

export type IpvsProtocol = 'tcp' | 'udp' | 'fwm';
export type IpvsFamily = 'inet' | 'inet6';
export type IpvsForward = 'gate' | 'masq' | 'ipip';

/**
 * A virtual service's identity in the kernel: protocol + address + port, or firewall
 * mark + family (`-f 5` and `-f 5 -6` are two services).
 */
export interface ServiceKey {
  readonly protocol: IpvsProtocol;
  readonly family: IpvsFamily;
  /** Numeric address, IPv6 without brackets, canonical form; undefined for fwm. */
  readonly address: string | undefined;
  /** 0 for fwm. */
  readonly port: number;
  /** Set for fwm only. */
  readonly fwmark: number | undefined;
}

/** Scheduler flags (-b) as the kernel keeps them: bits 1 (flag-1), 2 (flag-2), 4 (flag-3). */
export type SchedFlagBits = number;

/** The attributes `ipvsadm -A/-E` sets. */
export interface ServiceSpec {
  readonly key: ServiceKey;
  readonly scheduler: string;
  /** Persistence timeout in seconds (-p); undefined = not persistent. */
  readonly persistent: number | undefined;
  /**
   * Persistence granularity (-M): dotted mask for IPv4, prefix length for IPv6, only
   * when persistent and not the default (255.255.255.255 / 128), else undefined.
   */
  readonly netmask: string | undefined;
  /** One-packet scheduling (-o). */
  readonly ops: boolean;
  readonly schedFlags: SchedFlagBits;
}

export interface IpvsDestination {
  /** Numeric address, IPv6 without brackets, canonical form. */
  readonly address: string;
  readonly port: number;
  readonly forward: IpvsForward;
  readonly weight: number;
  /** -x; 0 = none. */
  readonly upperThreshold: number;
  /** -y; 0 = none. */
  readonly lowerThreshold: number;
}

export interface IpvsService extends ServiceSpec {
  readonly destinations: readonly IpvsDestination[];
}

export interface IpvsTable {
  readonly services: readonly IpvsService[];
}

/** One change to the table; each maps to one ipvsadm command. */
export type IpvsOp =
  | { readonly kind: 'add-service'; readonly service: ServiceSpec }
  | { readonly kind: 'edit-service'; readonly service: ServiceSpec }
  | { readonly kind: 'delete-service'; readonly key: ServiceKey }
  | { readonly kind: 'add-dest'; readonly key: ServiceKey; readonly dest: IpvsDestination }
  | { readonly kind: 'edit-dest'; readonly key: ServiceKey; readonly dest: IpvsDestination }
  | {
      readonly kind: 'delete-dest';
      readonly key: ServiceKey;
      readonly dest: Pick<IpvsDestination, 'address' | 'port'>;
    };
export type IpvsOpKind = IpvsOp['kind'];

export interface FailedOp {
  readonly op: IpvsOp;
  /** The ipvsadm command as it was run (argv after the binary). */
  readonly args: readonly string[];
  readonly exitCode: number | null;
  /** ipvsadm's own message, e.g. "Destination already exists". */
  readonly message: string;
}

export interface ApplyReport {
  /** True when every op took effect. */
  readonly ok: boolean;
  /** 'batch': one `ipvsadm -R`; 'single': after a failed batch, one command per op. */
  readonly mode: 'none' | 'batch' | 'single' | 'memory';
  /** Number of ipvsadm processes started (0 for memory and empty rounds). */
  readonly executions: number;
  readonly applied: number;
  readonly failed: readonly FailedOp[];
}

/** Where the table lives: the kernel through ipvsadm, or a process-local model. */
export interface TableBackend {
  read(): Promise<IpvsTable>;
  apply(ops: readonly IpvsOp[]): Promise<ApplyReport>;
}

/** Errors of this area carry stable codes (documented in docs/ipvs.md). */
export type IpvsErrorCode =
  | 'IPVSADM_NOT_FOUND'
  | 'IPVSADM_TIMEOUT'
  | 'IPVSADM_READ_FAILED'
  | 'IPVSADM_PARSE'
  | 'IPVS_SCHEDFLAGS_INVALID';

export class IpvsError extends Error {
  readonly code: IpvsErrorCode;
  constructor(code: IpvsErrorCode, message: string) {
    super(message);
    this.name = 'IpvsError';
    this.code = code;
  }
}
