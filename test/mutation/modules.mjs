// The modules `npm run mutation` knows: which sources Stryker mutates and which compiled
// test files (fast, no daemons or timing bounds) are run against every mutant.
export const MUTATION_MODULES = {
  tracker: {
    mutate: ['src/checks/tracker.ts'],
    tests: ['test/checks/tracker.test.ts', 'test/checks/tracker-force-and-seed.test.ts'],
  },
};
