import * as path from 'path';

/** The tests/ folder: fixtures, helpers and the Python protocol tests live under it. */
export const TESTS_DIR = path.resolve(__dirname, '..');
