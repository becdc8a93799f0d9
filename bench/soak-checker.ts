// The checker side of the soak (bench/soak.ts): one haldir scheduler in its own process,
// so RSS and open descriptors measured are the checker's alone. Reads the reals from the
// JSON file given as argv[2]; prints "ready", then "up ADDR:PORT MESSAGE" / "down ADDR:PORT
// MESSAGE" for every transition; answers "probes" with "probes N W" (checks run, warnings logged).
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CheckScheduler } from '../src/checks/scheduler.js';
import { planChecks } from '../src/checks/target.js';
import { systemClock } from '../src/runtime/clock.js';
import type { Logger } from '../src/runtime/logger.js';
import { makeReal, makeVirtual } from '../test/checks/fixtures.js';

type Real = readonly [string, number];
export interface CheckerSpec {
  /** receive "OK": the healthy farm plus silent, endless and blackholed reals. */
  readonly http: readonly Real[];
  /** service https: stalled TLS handshakes. */
  readonly https: readonly Real[];
  /** receive "status.*ok": the regex bomb reals. */
  readonly bomb: readonly Real[];
  readonly intervalS: number;
  readonly timeoutS: number;
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as CheckerSpec;
const common = { checkinterval: spec.intervalS, negotiatetimeout: spec.timeoutS, checktimeout: spec.timeoutS, failurecount: 1 };
// receive lives on each real (the config parser copies the virtual's receive there)
const reals = (rs: readonly Real[], receive: string) => rs.map(([address, port]) => makeReal({ address, port, receive }));
const virtuals = [
  makeVirtual({ ...common, address: '10.0.0.1', reals: reals(spec.http, 'OK') }),
  makeVirtual({ ...common, address: '10.0.0.2', port: 443, service: 'https', reals: reals(spec.https, 'OK') }),
  makeVirtual({ ...common, address: '10.0.0.3', reals: reals(spec.bomb, 'status.*ok') }),
].filter((v) => v.reals.length > 0);
let probes = 0;
let warnings = 0;
const logger: Logger = { debug: () => {}, info: () => {}, warn: () => void warnings++, error: () => {} };
const sched = new CheckScheduler(planChecks(virtuals, 'soak'), {
  clock: systemClock(),
  logger,
  onProbe: () => void probes++,
  onTransition: (t) => process.stdout.write(`${t.state} ${t.real} ${t.message.replace(/\s+/g, ' ').slice(0, 120)}\n`),
});
sched.start();
process.stdout.write('ready\n');
const rl = createInterface({ input: process.stdin });
rl.on('line', (l) => {
  if (l === 'probes') process.stdout.write(`probes ${probes} ${warnings}\n`);
});
rl.on('close', () => {
  sched.stop();
  process.exit(0);
});
