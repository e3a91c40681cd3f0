/**
 * `record` and `check`: the values a notebook hands to the grader, and the public self-checks a
 * student runs (docs/runtime.md). Both accept a thunk; when it throws a `NotImplementedError` (an
 * empty TODO in the starter) they print "not implemented yet: <fn> in <file>" and carry on, so a
 * starter notebook runs to the end. The wire format is kernel/protocol's (docs/architecture.md).
 */
export * from './codec';
export { describeValue } from './describe';
export { record, recordedValue, clearRecords } from './store';
export { loadChecks, ChecksFileError, CHECKS_SCHEMA_FILE } from './checksFile';
export type { Expectation, CheckSpec } from './checksFile';
export { evaluateCheck, DEFAULT_ATOL, DEFAULT_RTOL } from './expect';
export type { CheckResult } from './expect';
export { check } from './check';
