import { readFileSync } from "node:fs";
import { join } from "node:path";
import { COMMITTED } from "./fixtures.js";

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
