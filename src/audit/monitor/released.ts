import { createHash } from "node:crypto";
import type { ReferenceValues } from "../../schema/reference-values.js";

/** A statement some release carries, and where it was found (for the issue). */
export interface ReleasedStatement {
  readonly bytes: Uint8Array;
  readonly source: string;
}

/** The statements the project released, by the SHA-256 of their bytes (what a Rekor entry holds). */
export interface ReleasedStatements {
  find(sha256: string): Promise<ReleasedStatement | undefined>;
}

/** The reference-values document of a release version, if the repository has one. */
export type ReferenceValuesLookup = (version: string) => Promise<ReferenceValues | undefined>;

/** Statements held in memory (an embedded log's kept statements, a test's list), indexed by content. */
export function statementsInMemory(statements: Iterable<ReleasedStatement>): ReleasedStatements & { readonly size: number } {
  const byHash = new Map<string, ReleasedStatement>();
  for (const s of statements) byHash.set(createHash("sha256").update(s.bytes).digest("hex"), s);
  return { size: byHash.size, find: (sha256) => Promise.resolve(byHash.get(sha256)) };
}

/** The first source that has the statement. */
export function anyOf(...sources: readonly ReleasedStatements[]): ReleasedStatements {
  return {
    async find(sha256) {
      for (const source of sources) {
        const found = await source.find(sha256);
        if (found !== undefined) return found;
      }
      return undefined;
    },
  };
}
