import { describe, expect, it } from "vitest";
import { emptyMonitorState, parseMonitorState, serializeMonitorState } from "../../src/audit/monitor/state.js";
import { SchemaError } from "../../src/schema/parse.js";

/** The monitor's state file: round trip, and every kind of damage refused naming the file and field. */

const LOG_ID = "a".repeat(64);
const ENTRY = `${"0".repeat(16)}${"b".repeat(64)}`;
const sample = () => ({
  version: 1,
  logs: { [LOG_ID]: { checkpoint: { size: 3, rootHash: "c".repeat(64), note: "log - 1\n3\nroot\n\n— log sig\n" }, entries: { [ENTRY]: { logIndex: 2, outcome: "released" } } } },
  reported: ["reftrail-monitor:UNRELEASED:x:y"],
  statementAssets: { "17": "d".repeat(64) },
});

function refused(text: string): SchemaError {
  try {
    parseMonitorState(text, "state.json");
  } catch (err) {
    expect(err).toBeInstanceOf(SchemaError);
    expect((err as SchemaError).subject).toBe("state.json");
    return err as SchemaError;
  }
  throw new Error("accepted");
}

describe("monitor state", () => {
  it("round-trips, and an empty state is a state", () => {
    const text = JSON.stringify(sample());
    expect(parseMonitorState(serializeMonitorState(parseMonitorState(text, "s")), "s")).toEqual(sample());
    expect(parseMonitorState(serializeMonitorState(emptyMonitorState()), "s")).toEqual(emptyMonitorState());
  });

  it("an unknown version is refused, naming the field", () => {
    expect(refused(JSON.stringify({ ...sample(), version: 2 })).message).toMatch(/^version: /);
  });

  it.each([
    ["an unknown field", (s: ReturnType<typeof sample>) => Object.assign(s, { extra: 1 }), /unknown field 'extra'/],
    ["a log id that is not a SHA-256", (s: ReturnType<typeof sample>) => (s.logs = { zz: s.logs[LOG_ID]! }), /logs/],
    ["an entry id that is not one", (s: ReturnType<typeof sample>) => (s.logs[LOG_ID]!.entries = { nope: { logIndex: 1, outcome: "released" } }), /entries/],
    ["an unknown outcome", (s: ReturnType<typeof sample>) => (s.logs[LOG_ID]!.entries[ENTRY]!.outcome = "fine"), /outcome/],
    ["a negative tree size", (s: ReturnType<typeof sample>) => (s.logs[LOG_ID]!.checkpoint.size = -1), /checkpoint\.size/],
    ["an asset hash that is not hex", (s: ReturnType<typeof sample>) => (s.statementAssets["17"] = "xyz"), /statementAssets/],
    ["an asset id that is not a number", (s: ReturnType<typeof sample>) => Object.assign(s.statementAssets, { abc: "d".repeat(64) }), /statementAssets/],
  ])("%s is refused", (_name, tamper, message) => {
    const s = sample();
    tamper(s);
    expect(refused(JSON.stringify(s)).message).toMatch(message);
  });

  it("a truncated state is refused at every length", () => {
    const text = serializeMonitorState(parseMonitorState(JSON.stringify(sample()), "s"));
    for (let n = 0; n < text.trimEnd().length; n += 7) refused(text.slice(0, n));
  });

  it("duplicate keys are refused (two parsers could read two states)", () => {
    expect(refused(`{"version":1,"version":1,"logs":{},"reported":[],"statementAssets":{}}`).message).toMatch(/repeats the key .version./);
  });
});
