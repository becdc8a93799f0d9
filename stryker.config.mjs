// StrykerJS configuration for `npm run mutation [-- MODULE...]` (see docs/mutation.md).
//
// The tests are node:test suites compiled by tsc into dist/, so Stryker's command runner
// is used: Stryker instruments the TypeScript sources of the chosen module with every
// mutant at once ("mutant switching"), builds the sandbox once with tsc, then runs one
// focused node:test command per mutant with __STRYKER_ACTIVE_MUTANT__ in the
// environment. Only the fast, pure test files of that module run, so a module takes
// minutes, not hours, on a shared 2-core machine.
import { MUTATION_MODULES } from './test/mutation/modules.mjs';

const wanted = (process.env.HALDIR_MUTATION_MODULE ?? '').trim();
const mod = MUTATION_MODULES[wanted];
if (!mod) {
  throw new Error(
    `HALDIR_MUTATION_MODULE must be one of: ${Object.keys(MUTATION_MODULES).join(', ')} ` +
      `(got "${wanted}"); run it through \`npm run mutation -- MODULE\``,
  );
}
const testFiles = mod.tests.map((t) => `dist/${t.replace(/\.ts$/, '.js')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'command',
  // `--survivors` (test/mutation/run.mjs) narrows the run to the mutants left open.
  mutate: process.env.HALDIR_MUTATION_RANGES ? JSON.parse(process.env.HALDIR_MUTATION_RANGES) : mod.mutate,
  buildCommand: 'npx tsc -p tsconfig.json',
  commandRunner: {
    // All files in one process (test/mutation/in-process.mjs): a child per file would
    // cost more than the tests.
    command: `node --test-reporter=dot test/mutation/in-process.mjs ${testFiles.join(' ')}`,
  },
  // The machine is shared with other builds and test runs.
  concurrency: Number(process.env.HALDIR_MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 20000,
  timeoutFactor: 3,
  // Type errors a mutant introduces are expected; tsc still emits (noEmitOnError is off)
  // and Stryker inserts // @ts-nocheck into the mutated files.
  disableTypeChecks: true,
  ignorePatterns: ['dist', 'reports', 'bench/results', '.stryker-tmp'],
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${wanted}.html` },
  jsonReporter: { fileName: `reports/mutation/${wanted}.json` },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  thresholds: { high: 90, low: 80, break: null },
};
