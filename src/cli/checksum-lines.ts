import { printable } from "../util/printable.js";

/** One line of `sha256sum` output (or sha384sum/sha512sum), and whether `sha256sum -c` can check it. */
export interface ChecksumLine {
  readonly text: string;
  /** False when the name had to be printed escaped in a way `sha256sum -c` cannot read back. */
  readonly checkable: boolean;
}

const GNU_ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r" };

function gnuEscaped(name: string): string {
  return name.replace(/[\\\n\r]/g, (c) => GNU_ESCAPES[c]!);
}

/**
 * GNU coreutils writes a name holding a backslash, newline or carriage return with those three
 * escaped and a `\` before the digest, and `sha256sum -c` reads exactly those escapes back. It
 * prints every other character raw, but a terminal would act on control characters and bidi
 * overrides, so reftrail prints those escaped too (as it prints every name). `sha256sum -c` has no
 * escape for them: such a line is written without the leading `\`, so `sha256sum -c` looks for the
 * escaped name, finds no file and fails the line ("FAILED open or read", exit 1) instead of skipping
 * it as improperly formatted (a warning, exit 0).
 */
export function checksumLine(hexDigest: string, name: string): ChecksumLine {
  const escaped = gnuEscaped(name);
  const shown = printable(escaped);
  if (shown !== escaped) return { text: `${hexDigest}  ${shown}\n`, checkable: false };
  return { text: `${escaped === name ? "" : "\\"}${hexDigest}  ${escaped}\n`, checkable: true };
}
