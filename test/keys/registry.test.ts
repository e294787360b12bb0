import { execFileSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KeyError } from "../../src/keys/errors.js";
import { keyIdOf, parsePublicKey, publicKeyPem } from "../../src/keys/component-keys.js";
import { parseKeyRegistry, registerKey, setKeyWindow } from "../../src/keys/registry.js";
import { SchemaError } from "../../src/schema/parse.js";
import type { KeyRegistry } from "../../src/schema/key-registry.js";
import { ROOT } from "../helpers/fixtures.js";

const EXAMPLE_PATH = join(ROOT, "examples/oak-key-registry.json");
const EXAMPLE_TEXT = readFileSync(EXAMPLE_PATH, "utf8");
const tmp = mkdtempSync(join(tmpdir(), "reftrail-registry-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let counter = 0;

/** `openssl pkey -pubin -in PUB -outform DER | sha256sum`, on a PEM written to a temporary file. */
function opensslKeyId(pem: string): string {
  const path = join(tmp, `key-${++counter}.pem`);
  writeFileSync(path, pem);
  return execFileSync("sh", ["-c", 'openssl pkey -pubin -in "$1" -outform DER | sha256sum', "sh", path], { encoding: "utf8" }).split(" ")[0]!;
}

const msNs = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;
const p256 = (): KeyObject => generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;

interface Entry {
  keyId: string;
  publicKey: string;
  validFor: { start: string; end?: string };
  comment?: string;
  [extra: string]: unknown;
}
interface Doc {
  version: number;
  components: Record<string, Entry[]>;
  [extra: string]: unknown;
}
const example = (): Doc => JSON.parse(EXAMPLE_TEXT) as Doc;
const entryFor = (key: KeyObject, start = "2026-01-01T00:00:00Z", end?: string): Entry => ({
  keyId: keyIdOf(key),
  publicKey: publicKeyPem(key),
  validFor: end === undefined ? { start } : { start, end },
});

function refused(doc: unknown, code: "REGISTRY" | "SCHEMA", ...mentions: string[]): void {
  try {
    parseKeyRegistry(JSON.stringify(doc), "reg.json");
  } catch (err) {
    expect(err).toBeInstanceOf(code === "REGISTRY" ? KeyError : SchemaError);
    expect((err as KeyError).code).toBe(code);
    expect((err as KeyError).subject).toBe("reg.json");
    for (const m of mentions) expect((err as Error).message).toContain(m);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe("parseKeyRegistry on examples/oak-key-registry.json", () => {
  const loaded = parseKeyRegistry(EXAMPLE_TEXT, EXAMPLE_PATH);
  const raw = example();

  it("loads the 8 Oak components, one key each", () => {
    expect([...loaded.keysByComponent.keys()].sort()).toEqual([
      "oak_containers_kernel",
      "oak_containers_kernel_cmd_line_regex",
      "oak_containers_stage1",
      "oak_containers_system_image",
      "oak_orchestrator",
      "oak_restricted_kernel_simple_io_init_rd_wrapper_bin",
      "oak_restricted_kernel_simple_io_wrapper_cmd_line_regex",
      "stage0_bin",
    ]);
    for (const keys of loaded.keysByComponent.values()) expect(keys).toHaveLength(1);
    expect(loaded.registry).toEqual(raw);
  });

  it("each stated keyId is openssl's SHA-256 of the key's SPKI DER", () => {
    for (const [component, entries] of Object.entries(raw.components)) {
      const [key] = loaded.keysByComponent.get(component)!;
      expect(entries[0]!.keyId, component).toBe(opensslKeyId(entries[0]!.publicKey));
      expect(key!.keyId).toBe(entries[0]!.keyId);
      expect(key!.key.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
      expect(key!.source).toBe(`${EXAMPLE_PATH}:${component}`);
    }
  });

  it("reads the windows at nanosecond precision, open-ended", () => {
    for (const [component, entries] of Object.entries(raw.components)) {
      const [key] = loaded.keysByComponent.get(component)!;
      expect(key!.validFor, component).toEqual({ start: msNs(entries[0]!.validFor.start) });
    }
    expect(loaded.keysByComponent.get("stage0_bin")![0]!.validFor!.start).toBe(1748917056762000000n);
  });
});

describe("parseKeyRegistry refuses", () => {
  const keyA = p256();
  const keyB = p256();

  it("a keyId that is not the key's (REGISTRY), naming both ids", () => {
    const doc = example();
    const kernel = doc.components["oak_containers_kernel"]![0]!;
    const other = doc.components["stage0_bin"]![0]!.keyId;
    const actual = kernel.keyId;
    kernel.keyId = other;
    refused(doc, "REGISTRY", other, actual, "components.oak_containers_kernel[0].keyId");
    kernel.keyId = actual.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
    refused(doc, "REGISTRY", actual);
  });

  it("the same key twice in a component (REGISTRY), whatever the windows", () => {
    refused({ version: 1, components: { c: [entryFor(keyA, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"), entryFor(keyB), entryFor(keyA, "2026-03-01T00:00:00Z")] } }, "REGISTRY", "components.c[2]", "a second time");
  });

  it("the same key twice in a component in two encodings (compressed and uncompressed point)", () => {
    const compressedPem = execFileSync("openssl", ["ec", "-pubin", "-conv_form", "compressed", "-pubout"], { input: publicKeyPem(keyA), encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
    const compressed = parsePublicKey(compressedPem);
    // A key id is the SHA-256 of the uncompressed SPKI DER, whatever encoding the PEM uses.
    expect(keyIdOf(compressed)).toBe(opensslKeyId(publicKeyPem(keyA)));
    expect(opensslKeyId(compressedPem)).not.toBe(keyIdOf(compressed));
    const compressedEntry: Entry = { keyId: keyIdOf(compressed), publicKey: compressedPem, validFor: { start: "2026-01-01T00:00:00Z" } };
    // Alone, a compressed-point key is a valid entry...
    expect(parseKeyRegistry(JSON.stringify({ version: 1, components: { c: [compressedEntry] } }), "reg.json").keysByComponent.get("c")![0]!.keyId).toBe(compressedEntry.keyId);
    // ...the hash of its compressed DER is not its id...
    refused({ version: 1, components: { c: [{ ...compressedEntry, keyId: opensslKeyId(compressedPem) }] } }, "REGISTRY", "SPKI SHA-256");
    // ...and listing the same point again under its other encoding is listing the key twice.
    refused({ version: 1, components: { c: [entryFor(keyA, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"), compressedEntry] } }, "REGISTRY", "a second time");
  });

  it("but the same key in two components is allowed", () => {
    const loaded = parseKeyRegistry(JSON.stringify({ version: 1, components: { a: [entryFor(keyA)], b: [entryFor(keyA)] } }), "reg.json");
    expect(loaded.keysByComponent.get("a")![0]!.keyId).toBe(loaded.keysByComponent.get("b")![0]!.keyId);
    expect(loaded.keysByComponent.get("b")![0]!.source).toBe("reg.json:b");
  });

  it("a window that ends before it starts (REGISTRY); a zero-length window is allowed (bounds inclusive)", () => {
    refused({ version: 1, components: { c: [entryFor(keyA, "2026-01-01T00:00:00.000000001Z", "2026-01-01T00:00:00Z")] } }, "REGISTRY", "components.c[0].validFor", "ends before it starts");
    // Ordered by instant, not by text: 01:00+02:00 is before 00:00Z.
    refused({ version: 1, components: { c: [entryFor(keyA, "2026-01-01T00:00:00Z", "2026-01-01T01:00:00+02:00")] } }, "REGISTRY");
    const ok = parseKeyRegistry(JSON.stringify({ version: 1, components: { c: [entryFor(keyA, "2026-01-01T00:00:00.5Z", "2026-01-01T02:00:00.500000000+02:00")] } }), "reg.json");
    expect(ok.keysByComponent.get("c")![0]!.validFor).toEqual({ start: msNs("2026-01-01T00:00:00.500Z"), end: msNs("2026-01-01T00:00:00.500Z") });
  });

  it("keys that are not P-256 public keys (REGISTRY), naming the field", () => {
    const notP256: KeyObject[] = [
      generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey,
      generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey,
      generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey,
      generateKeyPairSync("ed25519").publicKey,
    ];
    for (const key of notP256) {
      // The keyId is right, so only the key type is wrong.
      refused({ version: 1, components: { c: [entryFor(keyA), entryFor(key)] } }, "REGISTRY", "components.c[1].publicKey", "P-256");
    }
    const priv = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    refused({ version: 1, components: { c: [{ ...entryFor(keyA), publicKey: priv }] } }, "REGISTRY", "components.c[0].publicKey");
    refused({ version: 1, components: { c: [{ ...entryFor(keyA), publicKey: "not a key" }] } }, "REGISTRY");
    refused({ version: 1, components: { c: [{ ...entryFor(keyA), publicKey: `${publicKeyPem(keyA)}junk` }] } }, "REGISTRY");
  });

  it("unknown fields anywhere (SCHEMA)", () => {
    refused({ ...example(), extra: true }, "SCHEMA", "extra");
    const inEntry = example();
    inEntry.components["stage0_bin"]![0]!["note"] = "x";
    refused(inEntry, "SCHEMA", "components.stage0_bin[0]", "note");
    const inWindow = example();
    (inWindow.components["stage0_bin"]![0]!.validFor as Record<string, unknown>)["until"] = "2027-01-01T00:00:00Z";
    refused(inWindow, "SCHEMA", "until");
  });

  it("an empty key list, no components member, a wrong version, a bad component name (SCHEMA)", () => {
    const empty = example();
    empty.components["stage0_bin"] = [];
    refused(empty, "SCHEMA", "components.stage0_bin");
    refused({ version: 1 }, "SCHEMA", "components");
    refused({ ...example(), version: 2 }, "SCHEMA", "version");
    refused({ version: 1, components: { "-bad": [entryFor(keyA)] } }, "SCHEMA");
    refused({ version: 1, components: { "a/b": [entryFor(keyA)] } }, "SCHEMA");
    refused([], "SCHEMA");
    refused(null, "SCHEMA");
    expect(() => parseKeyRegistry("{ not json", "reg.json")).toThrow(SchemaError);
  });

  it("validity bounds that are not RFC 3339 date-times (SCHEMA)", () => {
    for (const bad of ["2026-01-01", "2026-02-30T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01T24:00:00Z", "1767225600", "2026-01-01T00:00:00.1234567890Z", ""]) {
      refused({ version: 1, components: { c: [entryFor(keyA, bad)] } }, "SCHEMA", "components.c[0].validFor.start");
      refused({ version: 1, components: { c: [entryFor(keyA, "2026-01-01T00:00:00Z", bad)] } }, "SCHEMA", "components.c[0].validFor.end");
    }
  });

  it("a keyId that is not 64 lowercase hex digits (SCHEMA)", () => {
    refused({ version: 1, components: { c: [{ ...entryFor(keyA), keyId: keyIdOf(keyA).toUpperCase() }] } }, "SCHEMA");
    refused({ version: 1, components: { c: [{ ...entryFor(keyA), keyId: keyIdOf(keyA).slice(1) }] } }, "SCHEMA");
  });
});

describe("registerKey", () => {
  const key = p256();
  const start = msNs("2026-11-22T12:00:00Z");

  it("creates a registry and adds the key from `start` on, open-ended", () => {
    const { registry, added } = registerKey(undefined, "ovmf", key, start);
    expect(added).toBe(true);
    expect(registry).toEqual({ version: 1, components: { ovmf: [{ keyId: opensslKeyId(publicKeyPem(key)), publicKey: publicKeyPem(key), validFor: { start: "2026-11-22T12:00:00Z" } }] } });
    const reloaded = parseKeyRegistry(JSON.stringify(registry), "reg.json");
    expect(reloaded.keysByComponent.get("ovmf")![0]!.validFor).toEqual({ start });
  });

  it("is idempotent: a key already listed is not added again, whatever start is given", () => {
    const first = registerKey(undefined, "ovmf", key, start).registry;
    const snapshot = JSON.stringify(first);
    for (const s of [start, start + 1n, 0n]) {
      const again = registerKey(first, "ovmf", key, s);
      expect(again.added).toBe(false);
      expect(JSON.stringify(again.registry)).toBe(snapshot);
    }
    expect(JSON.stringify(first)).toBe(snapshot); // the input is not modified
  });

  it("appends other keys, keeps the other components, sorts components by name and never modifies its input", () => {
    const other = p256();
    let reg: KeyRegistry = registerKey(undefined, "ovmf", key, start).registry;
    const before = JSON.stringify(reg);
    const withOther = registerKey(reg, "ovmf", other, start + 1n);
    expect(JSON.stringify(reg)).toBe(before);
    reg = withOther.registry;
    expect(reg.components["ovmf"]!.map((k) => k.keyId)).toEqual([keyIdOf(key), keyIdOf(other)]);
    expect(reg.components["ovmf"]![1]!.validFor).toEqual({ start: "2026-11-22T12:00:00.000000001Z" });
    reg = registerKey(reg, "initrd", key, start).registry;
    reg = registerKey(reg, "cmdline", other, start).registry;
    expect(Object.keys(reg.components)).toEqual(["cmdline", "initrd", "ovmf"]);
    expect(parseKeyRegistry(JSON.stringify(reg), "reg.json").keysByComponent.size).toBe(3);
  });

  it("keeps the example registry's entries and comments when adding a component", () => {
    const base = parseKeyRegistry(EXAMPLE_TEXT, "example").registry;
    const { registry, added } = registerKey(base, "ovmf", key, start);
    expect(added).toBe(true);
    for (const [component, entries] of Object.entries(example().components)) expect(registry.components[component]).toEqual(entries);
    expect(Object.keys(registry.components)).toEqual([...Object.keys(registry.components)].sort());
  });
});

describe("setKeyWindow", () => {
  const key = p256();
  const start = msNs("2026-01-01T00:00:00Z");
  const end = msNs("2026-06-30T23:59:59Z");
  const NOW = msNs("2026-09-01T00:00:00Z");

  it("changes only the bounds given: --end alone keeps the start (rotation), --start alone keeps the end", () => {
    const reg = setKeyWindow(undefined, "ovmf", key, { start, comment: "release key" }, NOW).registry;
    const rotated = setKeyWindow(reg, "ovmf", key, { end }, NOW);
    expect(rotated.change).toBe("updated");
    expect(rotated.registry.components["ovmf"]![0]!.validFor).toEqual({ start: "2026-01-01T00:00:00Z", end: "2026-06-30T23:59:59Z" });
    expect(rotated.registry.components["ovmf"]![0]!.comment).toBe("release key");
    const moved = setKeyWindow(rotated.registry, "ovmf", key, { start: start - 1n }, NOW);
    expect(moved.registry.components["ovmf"]![0]!.validFor).toEqual({ start: "2025-12-31T23:59:59.999999999Z", end: "2026-06-30T23:59:59Z" });
  });

  it("revokes with an end in the past without restating the start; a new key starts now", () => {
    const added = setKeyWindow(undefined, "ovmf", key, {}, NOW);
    expect(added.registry.components["ovmf"]![0]!.validFor).toEqual({ start: "2026-09-01T00:00:00Z" });
    const day = 86_400_000_000_000n;
    const revoked = setKeyWindow(added.registry, "ovmf", key, { end: NOW + day }, NOW + 2n * day);
    expect(revoked.change).toBe("updated");
    expect(revoked.registry.components["ovmf"]![0]!.validFor).toEqual({ start: "2026-09-01T00:00:00Z", end: "2026-09-02T00:00:00Z" });
    expect(() => setKeyWindow(undefined, "ovmf", key, { end: NOW - 1n }, NOW)).toThrow(/before it starts/);
  });

  it("looks components up as own properties: constructor, toString, valueOf, hasOwnProperty are names like any other", () => {
    let reg: KeyRegistry | undefined;
    for (const name of ["constructor", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf"]) {
      const result = setKeyWindow(reg, name, key, { start }, NOW);
      expect(result.change).toBe("added");
      reg = registerKey(result.registry, name, p256(), start).registry;
    }
    const reloaded = parseKeyRegistry(JSON.stringify(reg), "reg.json");
    expect([...reloaded.keysByComponent.keys()].sort()).toEqual(["constructor", "hasOwnProperty", "isPrototypeOf", "toString", "valueOf"]);
    expect(reloaded.keysByComponent.get("constructor")).toHaveLength(2);
  });

  it("adds a key with its window (and comment) when it is not listed", () => {
    const { registry, change } = setKeyWindow(undefined, "ovmf", key, { start, end, comment: "first release key" }, NOW);
    expect(change).toBe("added");
    expect(registry.components["ovmf"]).toEqual([
      { keyId: keyIdOf(key), publicKey: publicKeyPem(key), validFor: { start: "2026-01-01T00:00:00Z", end: "2026-06-30T23:59:59Z" }, comment: "first release key" },
    ]);
    expect(parseKeyRegistry(JSON.stringify(registry), "reg.json").keysByComponent.get("ovmf")![0]!.validFor).toEqual({ start, end });
  });

  it("updates the window of a listed key (rotation), keeping its comment and its place", () => {
    const other = p256();
    let reg = setKeyWindow(undefined, "ovmf", key, { start, comment: "old key" }, NOW).registry;
    reg = registerKey(reg, "ovmf", other, end).registry;
    const before = JSON.stringify(reg);
    const rotated = setKeyWindow(reg, "ovmf", key, { start, end }, NOW);
    expect(rotated.change).toBe("updated");
    expect(JSON.stringify(reg)).toBe(before);
    expect(rotated.registry.components["ovmf"]!.map((k) => k.keyId)).toEqual([keyIdOf(key), keyIdOf(other)]);
    expect(rotated.registry.components["ovmf"]![0]).toEqual({ keyId: keyIdOf(key), publicKey: publicKeyPem(key), validFor: { start: "2026-01-01T00:00:00Z", end: "2026-06-30T23:59:59Z" }, comment: "old key" });
    expect(rotated.registry.components["ovmf"]![1]).toEqual(reg.components["ovmf"]![1]);
    // A new comment replaces the old one.
    const recommented = setKeyWindow(rotated.registry, "ovmf", key, { start, end, comment: "rotated out 2026-06" }, NOW);
    expect(recommented.change).toBe("updated");
    expect(recommented.registry.components["ovmf"]![0]!.comment).toBe("rotated out 2026-06");
    // Reopening the window removes the end.
    const reopened = setKeyWindow(rotated.registry, "ovmf", key, { end: "open" }, NOW);
    expect(reopened.change).toBe("updated");
    expect(reopened.registry.components["ovmf"]![0]!.validFor).toEqual({ start: "2026-01-01T00:00:00Z" });
    expect(reopened.registry.components["ovmf"]![0]!.comment).toBe("old key");
  });

  it("reports unchanged for the same window, with or without restating the comment", () => {
    const reg = setKeyWindow(undefined, "ovmf", key, { start, end, comment: "note" }, NOW).registry;
    for (const comment of [undefined, "note"]) {
      const again = setKeyWindow(reg, "ovmf", key, { start, end, ...(comment !== undefined ? { comment } : {}) }, NOW);
      expect(again.change).toBe("unchanged");
      expect(again.registry).toEqual(reg);
    }
    // The same instant written another way is the same window.
    expect(setKeyWindow(reg, "ovmf", key, { start: msNs("2026-01-01T02:00:00+02:00"), end }, NOW).change).toBe("unchanged");
    expect(setKeyWindow(reg, "ovmf", key, { start: start + 1n, end }, NOW).change).toBe("updated");
  });

  it("keeps the example registry's comments when closing an Oak key's window", () => {
    const base = parseKeyRegistry(EXAMPLE_TEXT, "example").registry;
    const entry = example().components["stage0_bin"]![0]!;
    const oakKey = parsePublicKey(entry.publicKey);
    const startNs = msNs(entry.validFor.start);
    expect(setKeyWindow(base, "stage0_bin", oakKey, { start: startNs }, NOW).change).toBe("unchanged");
    const closed = setKeyWindow(base, "stage0_bin", oakKey, { end: msNs("2027-01-01T00:00:00Z") }, NOW);
    expect(closed.change).toBe("updated");
    expect(closed.registry.components["stage0_bin"]).toEqual([{ ...entry, validFor: { start: entry.validFor.start, end: "2027-01-01T00:00:00Z" } }]);
    for (const [component, entries] of Object.entries(example().components)) {
      if (component !== "stage0_bin") expect(closed.registry.components[component], component).toEqual(entries);
      expect(closed.registry.components[component]![0]!.comment, component).toBe(entries[0]!.comment);
    }
    expect(parseKeyRegistry(JSON.stringify(closed.registry), "reg.json").keysByComponent.get("stage0_bin")![0]!.validFor!.end).toBe(msNs("2027-01-01T00:00:00Z"));
  });

  it("refuses a window that ends before it starts (REGISTRY)", () => {
    for (const [s, e] of [[end, start], [start, start - 1n]] as const) {
      let thrown: unknown;
      try {
        setKeyWindow(undefined, "ovmf", key, { start: s, end: e }, NOW);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(KeyError);
      expect((thrown as KeyError).code).toBe("REGISTRY");
    }
    expect(setKeyWindow(undefined, "ovmf", key, { start, end: start }, NOW).change).toBe("added");
  });
});
