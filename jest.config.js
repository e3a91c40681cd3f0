/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  // Integration tests start Jupyter and child processes; the machine has 2 cores.
  maxWorkers: 2,
  testTimeout: 120000,
  verbose: false,
};
