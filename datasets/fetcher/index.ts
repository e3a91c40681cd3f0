/**
 * `npm run datasets -- <name>`: download, verify, extract, and do nothing on a second run.
 *
 * CIFAR-10: `cifar-10-binary.tar.gz` → md5 → extracted into a temporary folder beside the target,
 * checked (six batch files of whole 3073-byte records), then renamed to `<root>/cifar-10-batches-bin`
 * and the archive deleted (`keepArchive` keeps it). An archive already in the data root (copied by
 * hand on an offline machine) is verified and used without the network.
 * Fashion-MNIST: the four .gz files into `<root>/fashion-mnist/`, each checked against its md5.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CIFAR10_RECORD_BYTES } from '../cifar10';
import { CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES } from '../files';
import { ArchiveError } from '../errors';
import { DEBIAN_FASHION_MNIST_DIR, REPO_ROOT, dataRoot } from '../paths';
import { normalizeDatasetName } from '../names';
import type { DatasetName } from '../types';
import { download, md5File } from './download';
import { progressBar } from './progress';
import { Source, sourceFor } from './sources';
import { extractTarGz } from './tar';

export interface FetchOptions {
  /** Data root (default TS231N_DATA_DIR or <repo>/data). */
  dir?: string;
  /** Download and extract again even when the data are there. */
  force?: boolean;
  /** Keep cifar-10-binary.tar.gz after extracting it. */
  keepArchive?: boolean;
  /** Draw a progress bar on stderr (default true). */
  progress?: boolean;
  /** One-line notes (default: stderr). */
  log?(line: string): void;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  retries?: number;
  /** Replaces the built-in source (tests, mirrors). */
  source?: Source;
}

export interface FetchResult {
  dataset: DatasetName;
  /** The folder the loader reads. */
  dir: string;
  /** True when everything was already there and verified. */
  skipped: boolean;
  /** Files fetched over the network this time. */
  downloaded: string[];
}

const MARKER = '.ts231n-source.json';

/** Keeps downloads out of git when the data root is inside the repository. */
function ignoreInGit(root: string): void {
  const rel = path.relative(REPO_ROOT, root);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return;
  const gi = path.join(root, '.gitignore');
  if (!fs.existsSync(gi)) fs.writeFileSync(gi, '# written by npm run datasets: downloaded data stay out of git\n*\n');
}

/** Null when `dir` holds a complete CIFAR-10 binary set, else why not. */
function cifarProblem(dir: string): string | null {
  for (const f of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE]) {
    const p = path.join(dir, f);
    if (!fs.existsSync(p)) return `${f} is missing`;
    const size = fs.statSync(p).size;
    if (size === 0 || size % CIFAR10_RECORD_BYTES !== 0)
      return `${f} has ${size} bytes, not a whole number of ${CIFAR10_RECORD_BYTES}-byte records`;
  }
  return null;
}

function readMarker(dir: string): { md5?: string; at?: string } | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8'));
  } catch {
    return null;
  }
}

async function fetchCifar10(
  src: Source,
  root: string,
  opts: FetchOptions,
  log: (s: string) => void,
): Promise<FetchResult> {
  const target = path.join(root, src.folder);
  const file = src.files[0];
  const archive = path.join(root, file.name);
  if (!opts.force && cifarProblem(target) === null) {
    const m = readMarker(target);
    log(
      `${src.title} is already in ${target} (${m?.md5 ? `md5 ${m.md5} verified ${m.at}` : 'all six batch files, sizes check out'}); nothing to do (--force downloads it again)`,
    );
    return { dataset: src.name, dir: target, skipped: true, downloaded: [] };
  }
  if (opts.force) for (const p of [archive, archive + '.part']) fs.rmSync(p, { force: true });
  const downloaded: string[] = [];
  let have = false;
  if (fs.existsSync(archive)) {
    if ((await md5File(archive)) === file.md5) {
      log(`using ${archive} (md5 verified)`);
      have = true;
    } else {
      log(`${archive} does not match the md5 ${file.md5}; downloading it again`);
      fs.rmSync(archive);
    }
  }
  if (!have) {
    await fetchFile(file.url, archive, file.md5, src, root, opts, log);
    downloaded.push(file.name);
  }
  const tmp = fs.mkdtempSync(path.join(root, `.extract-${src.folder}-`));
  try {
    log(`extracting ${file.name}`);
    await extractTarGz(archive, tmp);
    const extracted = path.join(tmp, src.folder);
    const problem = fs.existsSync(extracted) ? cifarProblem(extracted) : `the archive has no ${src.folder}/ folder`;
    if (problem)
      throw new ArchiveError(
        archive,
        `${archive} is not the CIFAR-10 binary archive (${problem}); delete it and run the command again`,
      );
    fs.writeFileSync(
      path.join(extracted, MARKER),
      JSON.stringify({ url: file.url, md5: file.md5, at: new Date().toISOString() }, null, 2) + '\n',
    );
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(extracted, target);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (!opts.keepArchive) fs.rmSync(archive, { force: true });
  log(`${src.title} is ready in ${target}`);
  return { dataset: src.name, dir: target, skipped: false, downloaded };
}

async function fetchFiles(
  src: Source,
  root: string,
  opts: FetchOptions,
  log: (s: string) => void,
): Promise<FetchResult> {
  const target = path.join(root, src.folder);
  fs.mkdirSync(target, { recursive: true });
  const downloaded: string[] = [];
  for (const file of src.files) {
    const dest = path.join(target, file.name);
    if (opts.force) for (const p of [dest, dest + '.part']) fs.rmSync(p, { force: true });
    if (fs.existsSync(dest)) {
      if ((await md5File(dest)) === file.md5) continue;
      log(`${dest} does not match the md5 ${file.md5}; downloading it again`);
      fs.rmSync(dest);
    }
    await fetchFile(file.url, dest, file.md5, src, root, opts, log);
    downloaded.push(file.name);
  }
  log(
    downloaded.length
      ? `${src.title} is ready in ${target}`
      : `${src.title} is already in ${target} (md5s verified); nothing to do (--force downloads it again)`,
  );
  return { dataset: src.name, dir: target, skipped: downloaded.length === 0, downloaded };
}

async function fetchFile(
  url: string,
  dest: string,
  md5: string,
  src: Source,
  root: string,
  opts: FetchOptions,
  log: (s: string) => void,
): Promise<void> {
  const bar = opts.progress === false ? null : progressBar(path.basename(dest));
  const hint =
    src.name === 'cifar10'
      ? `Copy ${path.basename(dest)} into ${root} and run the command again (it is verified and extracted offline), or use Fashion-MNIST: TS231N_DATASET=fashion-mnist`
      : `Fashion-MNIST installs offline from Debian: sudo apt-get install dataset-fashion-mnist`;
  try {
    const r = await download(url, dest, {
      md5,
      connectTimeoutMs: opts.connectTimeoutMs,
      idleTimeoutMs: opts.idleTimeoutMs,
      retries: opts.retries,
      onProgress: bar ? (d, t) => bar.update(d, t) : undefined,
      log: (s) => {
        bar?.finish();
        log(s);
      },
      offlineHint: hint,
    });
    bar?.finish();
    log(`${path.basename(dest)}: ${(r.bytes / 1e6).toFixed(1)} MB, md5 ${md5} verified`);
  } catch (e) {
    bar?.finish();
    throw e;
  }
}

/**
 * Downloads a data set into the data root (see the module comment). Safe to re-run: it skips what
 * is there and verified, and resumes a partial download. Throws OfflineError, ChecksumError,
 * DownloadError, ArchiveError or GzipError, each with a one-line message.
 */
export async function fetchDataset(name: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const dataset = normalizeDatasetName(name);
  const src = opts.source ?? sourceFor(dataset);
  const root = path.resolve(opts.dir ?? dataRoot());
  const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
  fs.mkdirSync(root, { recursive: true });
  ignoreInGit(root);
  if (dataset === 'fashion-mnist' && fs.existsSync(DEBIAN_FASHION_MNIST_DIR) && !opts.source) {
    log(
      `note: Debian's dataset-fashion-mnist is already installed in ${DEBIAN_FASHION_MNIST_DIR}; downloading a copy into ${path.join(root, src.folder)} anyway`,
    );
  }
  return src.kind === 'tar.gz' ? fetchCifar10(src, root, opts, log) : fetchFiles(src, root, opts, log);
}
