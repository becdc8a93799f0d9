// The table kept in this process: `haldir demo` and --dry-run. Every command haldir
// would have run is logged in ipvsadm syntax ("ipvsadm -a -t 127.0.0.1:80 -r ..."),
// and ops the kernel would refuse fail here with ipvsadm's own messages.
import { destKey, serviceId } from '../keys.js';
import { opArgs } from '../ipvsadm-text.js';
import { applyOpsToTable, indexTable } from '../plan.js';
import type { ApplyReport, FailedOp, IpvsOp, IpvsTable, TableBackend } from '../types.js';

/** ipvsadm's message (libipvs ipvs_strerror) for an op the table cannot take, if any. */
export function kernelRefusal(table: IpvsTable, op: IpvsOp): string | undefined {
  const services = indexTable(table);
  switch (op.kind) {
    case 'add-service':
      return services.has(serviceId(op.service.key)) ? 'Service already exists' : undefined;
    case 'edit-service':
      return services.has(serviceId(op.service.key)) ? undefined : 'No such service';
    case 'delete-service':
      return services.has(serviceId(op.key)) ? undefined : 'No such service';
    default: {
      const s = services.get(serviceId(op.key));
      if (!s) return 'Service not defined';
      const exists = s.destinations.some((d) => destKey(d) === destKey(op.dest));
      if (op.kind === 'add-dest') return exists ? 'Destination already exists' : undefined;
      return exists ? undefined : 'No such destination';
    }
  }
}

export interface MemoryBackendOptions {
  readonly initial?: IpvsTable;
  /** Receives each command line, e.g. "ipvsadm -A -t 10.0.0.1:80 -s wrr". */
  readonly log?: (line: string) => void;
}

export class MemoryBackend implements TableBackend {
  private table: IpvsTable;
  private readonly log: (line: string) => void;
  /** Every command line applied so far (also passed to `log`). */
  readonly commands: string[] = [];

  constructor(opts: MemoryBackendOptions = {}) {
    this.table = opts.initial ?? { services: [] };
    this.log = opts.log ?? (() => {});
  }

  async read(): Promise<IpvsTable> {
    return this.table;
  }

  async apply(ops: readonly IpvsOp[]): Promise<ApplyReport> {
    const failed: FailedOp[] = [];
    let applied = 0;
    for (const op of ops) {
      const args = opArgs(op);
      const line = ['ipvsadm', ...args].join(' ');
      this.commands.push(line);
      this.log(line);
      const refusal = kernelRefusal(this.table, op);
      if (refusal) {
        failed.push({ op, args, exitCode: 255, message: refusal });
        continue;
      }
      this.table = applyOpsToTable(this.table, [op]);
      applied++;
    }
    return { ok: failed.length === 0, mode: ops.length ? 'memory' : 'none', executions: 0, applied, failed };
  }
}
