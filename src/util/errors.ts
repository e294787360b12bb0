/**
 * Every failure reftrail reports on purpose is a ReftrailError: a stable machine code, a one-line
 * message, and the input it concerns (file path or option) so the CLI can name it.
 */
export class ReftrailError<Code extends string = string> extends Error {
  readonly code: Code;
  subject: string | undefined;

  constructor(code: Code, message: string, subject?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.subject = subject;
  }

  /** Attributes the failure to an input (a path or an option) unless a closer one is already named. */
  about(subject: string): this {
    this.subject ??= subject;
    return this;
  }
}

/** Runs `fn`, attributing any ReftrailError it throws to `subject`. */
export function attributed<T>(subject: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ReftrailError) throw err.about(subject);
    throw err;
  }
}

/**
 * An input that cannot be read, or is not what it should be: its subject names the file (as the
 * caller labels it, e.g. `--report report.bin`), its code says what went wrong.
 */
export class InputError extends ReftrailError {
  constructor(code: string, message: string, subject?: string) {
    super(code, message, subject);
  }
}
