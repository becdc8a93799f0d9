// One round of table upkeep, for the director: read the table, decide, apply. The only
// side effects are the backend's; the decisions are planDesiredTable and planOps.
import type { Config } from '../config/model.js';
import { planOps } from '../ipvs/plan.js';
import type { ApplyReport, IpvsOp, TableBackend } from '../ipvs/types.js';
import { planDesiredTable } from './plan-desired.js';
import type { HealthLookup, PoolPlan, PoolPlanOptions } from './plan-desired.js';

export interface ReconcileResult {
  readonly plan: PoolPlan;
  readonly ops: readonly IpvsOp[];
  readonly report: ApplyReport;
}

/**
 * Brings the backend's table to what config and health ask for. Pass the returned
 * `plan.fallbackState` (and the config's virtual ids, after a reload) into the next
 * round's options; run `plan.fallbackCommands` and log/mail `plan.events` only for what
 * `report` says took effect (report.ok, or the ops not listed in report.failed).
 */
export async function reconcileTable(
  backend: TableBackend,
  config: Config,
  health: HealthLookup,
  options: PoolPlanOptions = {},
): Promise<ReconcileResult> {
  const observed = await backend.read();
  const plan = planDesiredTable(config, health, observed, options);
  const ops = planOps(observed, plan.desired, plan.managedServiceIds);
  const report = await backend.apply(ops);
  return { plan, ops, report };
}
