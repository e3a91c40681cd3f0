/**
 * feedback.html in a real browser (Debian's chromium, headless) at a phone's and a desktop's width:
 * nothing is wider than the screen, and the screenshots are kept as test artefacts in
 * test-output/feedback/ (git-ignored) for a person to look at.
 */
import * as fs from 'fs';
import * as path from 'path';
import { feedbackHtml } from '../../../grader/report/html';
import { loadSpec } from '../../../grader/spec';
import type { StudentResult } from '../../../grader/types';
import { TESTS_DIR } from '../../helpers/paths';
import { layout, screenshot } from '../../helpers/browser';

jest.setTimeout(180_000);

const REPO = path.resolve(TESTS_DIR, '..');
const OUT = path.join(REPO, 'test-output', 'feedback');
const A1 = loadSpec(path.join(REPO, 'grader', 'specs', 'assignment1'));
const WIDTHS = { phone: 390, desktop: 1280 };

function withManual(r: StudentResult): StudentResult {
  const manual = A1.items
    .filter((i) => i.kind === 'manual')
    .map((i) => ({
      id: i.id,
      title: i.title,
      group: i.group,
      kind: i.kind,
      points: 0,
      maxPoints: i.points,
      reason: 'graded by hand',
      pendingManual: true,
    }));
  return { ...r, items: [...r.items.filter((i) => !i.pendingManual), ...manual] };
}

beforeAll(() => fs.mkdirSync(OUT, { recursive: true }));

for (const name of ['broken', 'partial']) {
  describe(`feedback.html of the ${name} example`, () => {
    const r = withManual(
      JSON.parse(fs.readFileSync(path.join(TESTS_DIR, 'fixtures', 'grader', 'reports', `${name}.json`), 'utf8')),
    );
    const page = path.join(OUT, `${name}.html`);
    beforeAll(() => fs.writeFileSync(page, feedbackHtml(r, A1)));

    for (const [device, width] of Object.entries(WIDTHS)) {
      test(`${device} (${width} px): nothing wider than the screen; screenshot kept`, () => {
        const height = device === 'phone' ? 2400 : 1600;
        const html = fs.readFileSync(page, 'utf8');
        expect(layout(html, width, OUT).layout).toEqual({ scrollWidth: width, innerWidth: width, wide: [] });
        // The screenshot: the page at the device's width (cropped out of the wider window).
        const shot = screenshot(html, width, height, path.join(OUT, `${name}-${device}.png`));
        expect(shot.width).toBe(width);
      });
    }
  });
}

test('the width check catches a page wider than a phone', () => {
  const { layout: l } = layout(
    `<!doctype html><html><body><pre style="white-space:pre">${'x'.repeat(400)}</pre></body></html>`,
    WIDTHS.phone,
    OUT,
  );
  expect(l.scrollWidth).toBeGreaterThan(WIDTHS.phone);
  expect(l.wide).toContain('pre');
});
