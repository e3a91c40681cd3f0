/**
 * The hostile corpus (tests/helpers/hostileSuite.ts) under the fallback sandbox, as on a machine
 * without bubblewrap: Node's permission model, unshare, cgroups where allowed, no native code.
 */
import { FORCE_FALLBACK_ENV } from '../../../grader/sandbox/bwrap';
import { describeHostileCorpus } from '../../helpers/hostileSuite';

const before = process.env[FORCE_FALLBACK_ENV];
process.env[FORCE_FALLBACK_ENV] = '1';
afterAll(() => {
  if (before === undefined) delete process.env[FORCE_FALLBACK_ENV];
  else process.env[FORCE_FALLBACK_ENV] = before;
});
describeHostileCorpus();
