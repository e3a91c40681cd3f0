/**
 * Hidden tests of the feature extractors (given code: these catch a submission that broke them):
 * HOG and the HSV colour histogram of unseen images.
 */
import type { HiddenTest } from '../../hidden';

type Features = typeof import('../../../solutions/assignment1/cs231n/features');

export const tests: HiddenTest[] = [
  {
    id: 'features.hidden_hog',
    run(ctx) {
      const { hogFeature } = ctx.load<Features>('cs231n/features');
      const im = ctx.rng.uniform(0, 255, [16, 16, 3]);
      return Array.from(hogFeature(im));
    },
  },
  {
    id: 'features.hidden_color_hist',
    run(ctx) {
      const { colorHistogramHsv } = ctx.load<Features>('cs231n/features');
      const im = ctx.rng.uniform(0, 255, [12, 10, 3]);
      return Array.from(colorHistogramHsv(im, 10, 0, 255, true));
    },
  },
];
