/**
 * Typed errors for the data sets. Every message is one line that names the file (or folder) and
 * says what to do next; the fields let a caller act on the error without parsing the message.
 *
 *   DatasetError
 *   ├── DatasetMissingError       files are not there: run the fetcher / install the apt package
 *   ├── UnknownDatasetError       a name that is not in the registry
 *   ├── DatasetSplitError         getData sizes that do not fit the data set
 *   ├── DatasetFormatError        a file is there but is not what its name says
 *   │   ├── TruncatedFileError    shorter than its header / ends inside a record
 *   │   ├── IdxMagicError         wrong IDX magic number (not an IDX file, or images/labels swapped)
 *   │   ├── GzipError             a .gz file whose stream does not inflate
 *   │   ├── RecordCountError      record counts that do not match the file size or each other
 *   │   ├── LabelRangeError       a label byte outside 0..9
 *   │   └── ArchiveError          a tar archive that is corrupt or unsafe to extract
 *   └── DownloadError             the fetcher could not get a file
 *       ├── OfflineError          no connection at all (refused, DNS, timeout)
 *       └── ChecksumError         the download's md5 is not the published one
 */

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Which data set, where we looked, what was missing, and the one thing to run. */
export class DatasetMissingError extends DatasetError {
  constructor(
    readonly dataset: string,
    readonly dir: string,
    readonly missing: string[],
    readonly fix: string,
  ) {
    super(`${dataset} is not in ${dir} (missing ${missing.join(', ')}): ${fix}`);
  }
}

export class UnknownDatasetError extends DatasetError {
  constructor(
    readonly requested: string,
    readonly known: string[],
  ) {
    super(`unknown data set "${requested}": use one of ${known.join(', ')}`);
  }
}

export class DatasetSplitError extends DatasetError {}

/** A file that exists but does not have the format its name promises. */
export class DatasetFormatError extends DatasetError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

export class TruncatedFileError extends DatasetFormatError {
  constructor(
    file: string,
    readonly expectedBytes: number,
    readonly actualBytes: number,
    fix: string,
  ) {
    super(
      file,
      `${file} is truncated: ${actualBytes.toLocaleString('en-US')} bytes, expected ${expectedBytes.toLocaleString('en-US')}; ${fix}`,
    );
  }
}

export class IdxMagicError extends DatasetFormatError {
  constructor(
    file: string,
    readonly expected: number,
    readonly found: number,
    what: string,
  ) {
    super(
      file,
      `${file} is not an IDX ${what} file: magic number ${hex(found)}, expected ${hex(expected)}; check the file name or re-download it`,
    );
  }
}

export class GzipError extends DatasetFormatError {
  constructor(
    file: string,
    readonly reason: string,
  ) {
    super(
      file,
      `${file} is not a valid gzip stream (${reason}); re-download it, or replace it with the uncompressed file without .gz`,
    );
  }
}

export class RecordCountError extends DatasetFormatError {
  constructor(
    file: string,
    readonly expected: number,
    readonly found: number,
    detail: string,
  ) {
    super(file, `${file}: ${detail}; re-download it`);
  }
}

export class LabelRangeError extends DatasetFormatError {
  constructor(
    file: string,
    readonly record: number,
    readonly label: number,
    numClasses: number,
  ) {
    super(
      file,
      `${file}: record ${record} has label ${label}, outside 0..${numClasses - 1}; the file is corrupt or not this data set, re-download it`,
    );
  }
}

export class ArchiveError extends DatasetFormatError {}

export class DownloadError extends DatasetError {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

export class OfflineError extends DownloadError {
  constructor(
    url: string,
    readonly code: string,
    hint: string,
  ) {
    super(url, `cannot reach ${hostOf(url)} (${code}): no network? ${hint}`);
  }
}

export class ChecksumError extends DownloadError {
  constructor(
    url: string,
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      url,
      `${file} has md5 ${actual}, expected ${expected}: the download is corrupt or not the official file; it was deleted, run the command again`,
    );
  }
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
