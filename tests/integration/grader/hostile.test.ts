/** The hostile corpus (tests/helpers/hostileSuite.ts) under bubblewrap, where the machine has it. */
import { describeHostileCorpus } from '../../helpers/hostileSuite';

describeHostileCorpus();
