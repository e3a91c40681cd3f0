/**
 * Errors that stop the grader itself (not a submission). Each has one line saying what to do next;
 * the CLI prints `message` and exits non-zero, with the stack only under --debug.
 */
export class GraderError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'GraderError';
  }
}

export class SpecError extends GraderError {
  constructor(message: string) {
    super(message, 'SPEC');
    this.name = 'SpecError';
  }
}

export class UsageError extends GraderError {
  constructor(message: string) {
    super(message, 'USAGE');
    this.name = 'UsageError';
  }
}

export class ReferenceError_ extends GraderError {
  constructor(message: string) {
    super(message, 'REFERENCE');
    this.name = 'ReferenceSolutionError';
  }
}
