/** A server a test started on loopback. */
export interface RunningServer {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}
