/**
 * Typed errors of the Jupyter kernel. Each message says what to do next; the launcher prints
 * `message` on one line and exits, never a stack.
 */

/** The connection file named on the command line is missing or malformed. */
export class ConnectionFileError extends Error {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(
      `connection file ${file}: ${problem}. Start the kernel from Jupyter (it writes the file), or pass a JSON file with transport, ip, key, signature_scheme and the five *_port fields.`,
    );
    this.name = 'ConnectionFileError';
    this.file = file;
  }
}

/** A message on the wire could not be decoded or its signature did not verify. */
export class WireError extends Error {
  constructor(problem: string) {
    super(`dropped a Jupyter message: ${problem}`);
    this.name = 'WireError';
  }
}
