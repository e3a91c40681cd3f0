/**
 * `npm run datasets -- <cifar10|fashion-mnist|status> [--dir DIR] [--force] [--keep-archive] [--quiet] [--debug]`
 *
 * Downloads a data set from its official source into the data root (TS231N_DATA_DIR or
 * <repo>/data), with a progress bar on stderr, md5 verification, resume and extraction; running it
 * again does nothing. `status` says where each data set is and which one notebooks get by default.
 * Errors are one line (a stack only with --debug); exit code 1 on failure, 2 on bad usage.
 */
import * as path from 'path';
import { hasCifar10, hasFashionMnist } from '../files';
import { DatasetError } from '../errors';
import { fetchDataset } from '.';
import { dataRoot, defaultCifar10Dir, defaultFashionMnistDir } from '../paths';
import { resolveDatasetName } from '../names';
import { CommandLineError, parseCommandLine } from '../../scripts/commandLine';

const USAGE = `usage: npm run datasets -- <cifar10|fashion-mnist|status> [--dir DIR] [--force] [--keep-archive] [--quiet] [--debug]
  cifar10        download CIFAR-10 (binary version, 170 MB) into <data>/cifar-10-batches-bin
  fashion-mnist  download Fashion-MNIST (31 MB) into <data>/fashion-mnist (Debian's dataset-fashion-mnist works offline)
  status         where each data set is, and which one notebooks load by default
  --dir DIR      data root (default: TS231N_DATA_DIR or <repo>/data)
  --force        download and extract again even if the data are there
  --keep-archive keep cifar-10-binary.tar.gz after extracting it`;

interface Args {
  command?: string;
  dir?: string;
  force: boolean;
  keepArchive: boolean;
  quiet: boolean;
  debug: boolean;
  help: boolean;
}

function parse(argv: string[]): Args {
  const { values: v, positionals } = parseCommandLine(
    argv,
    {
      dir: { type: 'string' },
      force: { type: 'boolean' },
      'keep-archive': { type: 'boolean' },
      quiet: { type: 'boolean' },
      debug: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (v.dir === '') throw new CommandLineError('--dir needs a folder');
  if (positionals.length > 1) throw new CommandLineError(`one data set at a time (got ${positionals.join(' and ')})`);
  return {
    command: positionals[0],
    dir: v.dir,
    force: v.force ?? false,
    keepArchive: v['keep-archive'] ?? false,
    quiet: v.quiet ?? false,
    debug: v.debug ?? false,
    help: v.help ?? false,
  };
}

function status(dir?: string): void {
  if (dir) process.env.TS231N_DATA_DIR = path.resolve(dir);
  const c = defaultCifar10Dir();
  const f = defaultFashionMnistDir();
  console.log(`data root: ${dataRoot()}`);
  console.log(`cifar10: ${hasCifar10(c) ? `present in ${c}` : `not downloaded (npm run datasets -- cifar10)`}`);
  console.log(
    `fashion-mnist: ${hasFashionMnist(f) ? `present in ${f}` : 'missing (sudo apt-get install dataset-fashion-mnist, or npm run datasets -- fashion-mnist)'}`,
  );
  console.log(`default for notebooks: ${resolveDatasetName()}${process.env.TS231N_DATASET ? ' (TS231N_DATASET)' : ''}`);
}

async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parse(argv);
  } catch (e) {
    if (!(e instanceof CommandLineError)) throw e;
    console.error(`datasets: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (args.help || !args.command) {
    (args.help ? console.log : console.error)(USAGE);
    return args.help ? 0 : 2;
  }
  try {
    if (args.command === 'status') {
      status(args.dir);
      return 0;
    }
    const r = await fetchDataset(args.command, {
      dir: args.dir,
      force: args.force,
      keepArchive: args.keepArchive,
      progress: !args.quiet,
      log: args.quiet ? () => undefined : (s) => process.stderr.write(s + '\n'),
    });
    console.log(`${r.dataset}: ${r.skipped ? 'already present' : 'ready'} in ${r.dir}`);
    return 0;
  } catch (e) {
    if (args.debug) console.error(e);
    else
      console.error(
        `datasets: ${(e as Error).message}${e instanceof DatasetError ? '' : ' (run with --debug for the stack)'}`,
      );
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

export { main };
