/** Figures for the grader's figure tests: a real (tiny) PNG, and an SVG that tries to run script. */
import { PNG } from 'pngjs';

/** Base64 of a w×h grey PNG. */
export function tinyPng(w = 4, h = 3): string {
  const png = new PNG({ width: w, height: h });
  png.data.fill(200);
  return PNG.sync.write(png).toString('base64');
}

/** Sets `data-pwned` on the parent page's body from a script element and from an onload handler, if either runs. */
export const HOSTILE_SVG =
  `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="60" ` +
  `onload="parent.document.body.setAttribute('data-pwned','onload')">` +
  `<script>parent.document.body.setAttribute('data-pwned','script')</script>` +
  `<rect width="160" height="60" fill="#c00"/><text x="8" y="36" fill="#fff">hostile svg</text></svg>`;
