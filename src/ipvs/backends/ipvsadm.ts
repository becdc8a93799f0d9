// The kernel table through the ipvsadm binary, never through a shell.
// read: `ipvsadm -L -n` + `ipvsadm -L -n --thresholds` (as ldirectord's ld_read_ipvsadm
// and ld_read_ipvsadm_thresholds, L2472/L2553). apply: one `ipvsadm -R` batch per round
// (one process instead of ldirectord's one per change). ipvsadm -R keeps going after a
// kernel error and exits with the LAST line's status, so a batch counts as failed on a
// non-zero exit OR any stderr; then the table is re-read and every op that has not
// taken effect is run on its own, so the report names exactly the ops that failed.
import { execFile } from '../../runtime/exec.js';
import type { ExecResult } from '../../runtime/exec.js';
import { destKey, serviceId } from '../keys.js';
import { mergeThresholds, opArgs, parseList, parseThresholds, renderRestore } from '../ipvsadm-text.js';
import { indexTable, sameDestination, sameServiceSpec } from '../plan.js';
import { IpvsError } from '../types.js';
import type { ApplyReport, FailedOp, IpvsOp, IpvsTable, TableBackend } from '../types.js';

export interface IpvsadmBackendOptions {
  /** Path of the ipvsadm binary (default /usr/sbin/ipvsadm). */
  readonly binary?: string;
  /** Per-process time limit (default 30 s). */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

const MAX_OUTPUT = 512 * 1024 * 1024;

/** True when the op's effect is already visible in the table (it need not run again). */
export function opSatisfied(table: IpvsTable, op: IpvsOp): boolean {
  const services = indexTable(table);
  switch (op.kind) {
    case 'add-service':
    case 'edit-service': {
      const s = services.get(serviceId(op.service.key));
      return s !== undefined && sameServiceSpec(s, op.service);
    }
    case 'delete-service':
      return !services.has(serviceId(op.key));
    case 'add-dest':
    case 'edit-dest': {
      const d = services.get(serviceId(op.key))?.destinations.find((x) => destKey(x) === destKey(op.dest));
      return d !== undefined && sameDestination(d, op.dest);
    }
    case 'delete-dest': {
      const s = services.get(serviceId(op.key));
      return !s || !s.destinations.some((x) => destKey(x) === destKey(op.dest));
    }
  }
}

function failureMessage(r: ExecResult): string {
  if (r.error) return r.error;
  if (r.timedOut) return 'timed out';
  return r.stderr.trim() || `exit status ${r.code ?? r.signal}`;
}

export class IpvsadmBackend implements TableBackend {
  readonly binary: string;
  private readonly timeoutMs: number;
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly cwd: string | undefined;

  constructor(opts: IpvsadmBackendOptions = {}) {
    this.binary = opts.binary ?? '/usr/sbin/ipvsadm';
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.env = opts.env;
    this.cwd = opts.cwd;
  }

  private run(args: readonly string[], input?: string): Promise<ExecResult> {
    return execFile([this.binary, ...args], {
      timeoutMs: this.timeoutMs,
      env: this.env,
      cwd: this.cwd,
      input,
      maxOutput: MAX_OUTPUT,
    });
  }

  private async list(args: readonly string[]): Promise<string> {
    const r = await this.run(args);
    if (r.error) {
      throw new IpvsError(
        'IPVSADM_NOT_FOUND',
        `cannot run ${this.binary}: ${r.error}; install ipvsadm or set the ipvsadm path`,
      );
    }
    if (r.timedOut) throw new IpvsError('IPVSADM_TIMEOUT', `${this.binary} ${args.join(' ')} did not finish within ${this.timeoutMs} ms`);
    if (r.code !== 0) {
      throw new IpvsError(
        'IPVSADM_READ_FAILED',
        `${this.binary} ${args.join(' ')} failed (${failureMessage(r)}); is the ip_vs module loaded and are we root?`,
      );
    }
    return r.stdout;
  }

  async read(): Promise<IpvsTable> {
    const list = await this.list(['-L', '-n']);
    const thresholds = await this.list(['-L', '-n', '--thresholds']);
    return mergeThresholds(parseList(list), parseThresholds(thresholds));
  }

  async apply(ops: readonly IpvsOp[]): Promise<ApplyReport> {
    if (ops.length === 0) return { ok: true, mode: 'none', executions: 0, applied: 0, failed: [] };
    const batch = await this.run(['-R'], renderRestore(ops));
    let executions = 1;
    if (!batch.error && !batch.timedOut && batch.code === 0 && batch.stderr.trim() === '') {
      return { ok: true, mode: 'batch', executions, applied: ops.length, failed: [] };
    }
    // Part of the batch may have landed: look, then run only what is still missing.
    let table: IpvsTable | undefined;
    try {
      table = await this.read();
      executions += 2;
    } catch {
      table = undefined;
    }
    const failed: FailedOp[] = [];
    let applied = 0;
    for (const op of ops) {
      if (table && opSatisfied(table, op)) {
        applied++;
        continue;
      }
      const args = opArgs(op);
      const r = await this.run(args);
      executions++;
      if (!r.error && !r.timedOut && r.code === 0) applied++;
      else failed.push({ op, args, exitCode: r.code, message: failureMessage(r) });
    }
    return { ok: failed.length === 0, mode: 'single', executions, applied, failed };
  }
}
