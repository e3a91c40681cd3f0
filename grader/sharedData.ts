/**
 * The data set decoded once per grading run, not once per child: Fashion-MNIST ships gzipped
 * (Debian's package, or a download), and every child used to inflate its 26 MB of training
 * images again (0.9 s of CPU each). The grader inflates the four IDX files into
 * `<scratchRoot>/data/fashion-mnist/` — trusted code, before any child starts — and points every
 * child, the reference's and the students' alike, at that folder (`TS231N_DATA_DIR`, read-only in
 * the sandbox). The files are byte for byte the IDX files inside the archives; the loader reads
 * them the same way (datasets/fashionMnist.ts takes `base` when there is no `base.gz`).
 *
 * Only where the children would load Fashion-MNIST anyway: `TS231N_DATASET` names it, or names
 * nothing and no CIFAR-10 is present (datasets/names.ts); otherwise nothing changes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FASHION_MNIST_FILES, findFashionMnistFile, hasFashionMnist } from '../datasets/files';
import { resolveDatasetName } from '../datasets/names';
import { defaultFashionMnistDir, FASHION_MNIST_FOLDER } from '../datasets/paths';
import { readMaybeGzip } from '../datasets/idx';

export interface SharedData {
  /** The folder to give the children as TS231N_DATA_DIR (readable in the sandbox). */
  root: string;
  env: Record<string, string>;
}

/** Inflate the Fashion-MNIST files into `<scratchRoot>/data` if the children would read them; null otherwise. */
export function shareDecodedData(scratchRoot: string): SharedData | null {
  let name: string;
  try {
    name = resolveDatasetName();
  } catch {
    return null; // an unknown TS231N_DATASET: the children report it themselves
  }
  const src = defaultFashionMnistDir();
  if (name !== 'fashion-mnist' || !hasFashionMnist(src)) return null;
  const root = path.join(scratchRoot, 'data');
  const dir = path.join(root, FASHION_MNIST_FOLDER);
  fs.mkdirSync(dir, { recursive: true });
  for (const base of FASHION_MNIST_FILES) {
    const file = findFashionMnistFile(src, base)!;
    try {
      fs.writeFileSync(path.join(dir, base), readMaybeGzip(file));
    } catch {
      // a damaged archive: let each child meet the loader's own error, as without sharing
      fs.rmSync(root, { recursive: true, force: true });
      return null;
    }
  }
  return { root, env: { TS231N_DATA_DIR: root, TS231N_DATASET: 'fashion-mnist' } };
}
