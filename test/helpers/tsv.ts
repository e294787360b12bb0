import { readFileSync } from "node:fs";
import { join } from "node:path";
import { COMMITTED, fixturePath } from "./fixtures.js";
import { sha256sum } from "./sha.js";

/** Rows of a tab-separated fixture table with a header line, as objects keyed by column name. */
export function readTsv(relative: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(join(COMMITTED, relative), "utf8").split("\n").filter((l) => l.length > 0);
  const columns = header!.split("\t");
  return lines.map((line) => {
    const cells = line.split("\t");
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ""]));
  });
}

/** Splits a POSIX-shell-quoted command line (single quotes, double quotes, backslashes) into words. */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in ${command}`);
      word = (word ?? "") + command.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= "";
      for (i++; command[i] !== '"'; i++) {
        if (i >= command.length) throw new Error(`unterminated quote in ${command}`);
        if (command[i] === "\\" && /["\\$`]/.test(command[i + 1] ?? "")) i++;
        word += command[i];
      }
    } else if (c === "\\") {
      word = (word ?? "") + (command[++i] ?? "");
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** One sev-snp-measure oracle row, from either layout of the oracle tables. */
export interface OracleRow {
  /** The sev-snp-measure arguments, without the program name. */
  readonly args: readonly string[];
  /** The digest sev-snp-measure printed for them (hex, or base64 with `--output-format base64`). */
  readonly expected: string;
  /** The other columns of the wide layout (kernel_sha256, initrd_sha256, append, ...); empty for the narrow one. */
  readonly columns: Readonly<Record<string, string>>;
  /** The value given to one option, undefined when the row does not give it. */
  option(name: string): string | undefined;
  /**
   * SHA-256 of the kernel or initrd the row boots (what QEMU's kernel-hashes table holds): the wide
   * layout's column, else sha256sum of the file it names in the fixtures; undefined when none.
   */
  fileSha256(which: "kernel" | "initrd"): string | undefined;
}

const NARROW_ARGUMENTS = "sev-snp-measure arguments (run in this folder)";

/**
 * Reads an oracle table in either of the layouts ../shared/fixtures uses: the wide one (mode, ovmf_file, ...,
 * expected_digest_hex, command) or the narrow one (expected_digest, then the arguments, as amdsev-visible.tsv).
 */
export function readOracleRows(relative: string): OracleRow[] {
  return readTsv(relative).map((row) => {
    const narrow = row[NARROW_ARGUMENTS] !== undefined;
    const words = shellWords(narrow ? row[NARROW_ARGUMENTS]! : row["command"]!);
    if (!narrow && words.shift() !== "sev-snp-measure") throw new Error(`${relative}: a command that is not sev-snp-measure`);
    const expected = narrow ? row["expected_digest"] : row["expected_digest_hex"];
    if (expected === undefined || expected === "") throw new Error(`${relative}: a row without an expected digest`);
    const option = (name: string) => {
      const i = words.indexOf(name);
      return i < 0 ? undefined : words[i + 1];
    };
    return {
      args: words,
      expected,
      columns: narrow ? {} : row,
      option,
      fileSha256: (which: "kernel" | "initrd") => {
        const column = row[`${which}_sha256`];
        if (column !== undefined) return column === "-" ? undefined : column;
        const file = option(`--${which}`);
        return file === undefined ? undefined : sha256sum(fixturePath(file));
      },
    };
  });
}
