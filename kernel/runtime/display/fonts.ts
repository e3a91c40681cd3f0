/**
 * Fonts for rasterising SVG text with resvg (it has no fonts of its own, so without one every
 * label in a PNG would silently vanish). Vega writes `font-family="sans-serif"`; we hand resvg
 * DejaVu Sans (Debian's `fonts-dejavu-core`) or any other sans font found on the system.
 */
import * as fs from 'fs';

/** Candidate files, best first. `TS231N_FONT` (a .ttf/.otf path) wins when set. */
const CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/freefont/FreeSans.ttf',
  '/usr/share/fonts/noto/NotoSans-Regular.ttf',
  '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf',
  '/Library/Fonts/Arial.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

export interface FontChoice {
  /** Font files passed to resvg (empty when none was found). */
  files: string[];
  /** The family name resvg should use for generic families. */
  family: string;
}

let cached: FontChoice | undefined;

function familyOf(file: string): string {
  if (/DejaVuSans/i.test(file)) return 'DejaVu Sans';
  if (/LiberationSans/i.test(file)) return 'Liberation Sans';
  if (/FreeSans/i.test(file)) return 'FreeSans';
  if (/NotoSans/i.test(file)) return 'Noto Sans';
  if (/arial/i.test(file)) return 'Arial';
  return 'sans-serif';
}

/** The font resvg uses for PNG output; files is empty when the system has none of the known ones. */
export function pngFont(): FontChoice {
  if (cached) return cached;
  const forced = process.env.TS231N_FONT;
  const files = [forced, ...CANDIDATES].filter((f): f is string => !!f && fs.existsSync(f));
  cached = files.length
    ? {
        files: [files[0]],
        family:
          forced && files[0] === forced ? (process.env.TS231N_FONT_FAMILY ?? familyOf(forced)) : familyOf(files[0]),
      }
    : { files: [], family: 'sans-serif' };
  return cached;
}

/** One line saying how to get a font, for the warning printed when PNG text cannot be drawn. */
export const NO_FONT_HINT =
  "no font found for PNG text: install Debian's fonts-dejavu-core (sudo apt-get install fonts-dejavu-core) or set TS231N_FONT to a .ttf file; SVG output is unaffected";
