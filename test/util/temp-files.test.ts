import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { sweepLeftovers, tempPathFor } from "../../src/util/temp-files.js";
import { leftoversOfKilledProcess } from "../helpers/leftovers.js";

describe("leftovers of killed runs", () => {
  it("removes a dead process's temporary file and staging folder, and nothing else", () => {
    const dir = mkdtempSync(join(tmpdir(), "reftrail-leftovers-"));
    const made = leftoversOfKilledProcess(dir, [join(dir, "ovmf.private.pem"), join(dir, "ovmf")]);
    // A live process's work in progress (this one's), and files reftrail did not name.
    const live = tempPathFor(join(dir, "kernel.private.pem"));
    writeFileSync(live, "in progress");
    const unrelated = [".ovmf.private.pem.tmp-1-deadbeef", ".ovmf.reftrail-tmp-notapid", "notes.reftrail-tmp-1-1-deadbeef", ".a.reftrail-tmp-1-1-deadbeef"];
    for (const name of unrelated) writeFileSync(join(dir, name), "keep");
    expect(sweepLeftovers(dir).sort()).toEqual([...made].sort());
    expect(readdirSync(dir).sort()).toEqual([basename(live), ...unrelated].sort());
  });

  it("treats a recycled pid as gone: the same pid with another start time is not the owner", () => {
    const dir = mkdtempSync(join(tmpdir(), "reftrail-leftovers-"));
    const own = basename(tempPathFor(join(dir, "x")));
    const [, host, pid, start] = /reftrail-tmp-([0-9a-f]{8})-([0-9]+)-([0-9]+)-/.exec(own)!;
    expect(Number(pid)).toBe(process.pid);
    if (start === "0") return; // no /proc: start times are unknown, and a live pid is kept
    const recycled = `.x.reftrail-tmp-${host}-${pid}-${BigInt(start!) + 1n}-0123abcd`;
    // The same dead-looking owner on another machine sharing the folder: not ours to judge.
    const otherHost = `.x.reftrail-tmp-00000000-${pid}-${BigInt(start!) + 1n}-0123abcd`;
    writeFileSync(join(dir, otherHost), "theirs");
    mkdirSync(join(dir, recycled));
    writeFileSync(join(dir, own), "mine");
    expect(sweepLeftovers(dir)).toEqual([recycled]);
    expect(readdirSync(dir).sort()).toEqual([own, otherHost].sort());
  });

  it("keeps a temporary name within NAME_MAX for a long target name", () => {
    expect(basename(tempPathFor(join("/tmp", "a".repeat(255)))).length).toBeLessThanOrEqual(255);
  });
});
