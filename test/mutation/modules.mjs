// The modules `npm run mutation` knows: which sources Stryker mutates and which compiled
// test files (fast, no daemons or timing bounds) are run against every mutant.
export const MUTATION_MODULES = {
  tracker: {
    mutate: ['src/checks/tracker.ts'],
    tests: ['test/checks/tracker.test.ts', 'test/checks/tracker-force-and-seed.test.ts'],
  },
  pool: {
    mutate: ['src/pool/*.ts'],
    tests: ['test/pool/plan-desired.test.ts', 'test/pool/plan-desired-events.test.ts'],
  },
  'ipvs-plan': {
    mutate: ['src/ipvs/plan*.ts'],
    tests: ['test/ipvs/plan.test.ts', 'test/ipvs/plan-kernel-rules.test.ts'],
  },
  'ipvs-text': {
    mutate: ['src/ipvs/ipvsadm-text.ts'],
    tests: ['test/ipvs/ipvsadm-text.test.ts', 'test/ipvs/ipvsadm-text-syntax.test.ts'],
  },
  'vrrp-codec': {
    mutate: ['src/vrrp/codec.ts'],
    tests: ['test/vrrp/codec.test.ts', 'test/vrrp/codec-edges.test.ts'],
  },
  'vrrp-machine': {
    mutate: ['src/vrrp/machine.ts'],
    tests: ['test/vrrp/machine.test.ts'],
  },
  splitbrain: {
    mutate: ['src/splitbrain/detector.ts'],
    tests: ['test/splitbrain/detector.test.ts', 'test/splitbrain/detector-terms.test.ts'],
  },
};
