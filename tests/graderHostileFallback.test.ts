/**
 * The hostile corpus (tests/helpers/hostileSuite.ts) under the fallback sandbox, as on a machine
 * without bubblewrap: Node's permission model, unshare, cgroups where allowed, no native code.
 */
import { FORCE_FALLBACK_ENV } from '../grader/sandbox/bwrap';
import { describeHostileCorpus } from './helpers/hostileSuite';

process.env[FORCE_FALLBACK_ENV] = '1';
describeHostileCorpus();
