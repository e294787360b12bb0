import { describe, expect, it } from "vitest";
import { StrictJsonError, parseStrictJson } from "../../src/util/strict-json.js";

describe("parseStrictJson", () => {
  it("parses what JSON.parse parses when no key repeats", () => {
    const text = JSON.stringify({ a: [{ x: 1, y: "}{,\\\"" }, { x: 2, y: [] }], b: { c: { d: null } }, "a\"b": "{\"a\":1,\"a\":2}" });
    expect(parseStrictJson(text)).toEqual(JSON.parse(text));
    // The same key in sibling objects, in nested objects, and as a string value is fine.
    expect(parseStrictJson('[{"k":1},{"k":2}]')).toEqual([{ k: 1 }, { k: 2 }]);
    expect(parseStrictJson('{"k":{"k":{"k":"k"}}}')).toEqual({ k: { k: { k: "k" } } });
    expect(parseStrictJson('{"k":"k","v":["k","k"]}')).toEqual({ k: "k", v: ["k", "k"] });
  });

  it("refuses a key repeated in one object, at any depth, however it is escaped", () => {
    for (const text of ['{"a":1,"a":2}', '{"x":{"a":1,"b":2,"a":3}}', '[1,{"a":1,"a":1}]', '{"a":1,"\\u0061":2}', '{"s":{"t":[{"u":0}]},"s":1}', '{ "a" : 1 , "a" : 2 }']) {
      expect(() => parseStrictJson(text), text).toThrow(StrictJsonError);
    }
  });

  it("refuses __proto__ keys and a byte-order mark, and still refuses invalid JSON", () => {
    expect(() => parseStrictJson('{"__proto__":{"x":1}}')).toThrow(/__proto__/);
    expect(() => parseStrictJson('{"a":{"\\u005f_proto__":1}}')).toThrow(/__proto__/);
    expect(() => parseStrictJson('\ufeff{"a":1}')).toThrow(/byte-order mark/);
    expect(() => parseStrictJson('{"a":1,}')).toThrow(SyntaxError);
    expect(parseStrictJson('{"proto":1,"constructor":2}')).toEqual({ proto: 1, constructor: 2 });
  });
});
