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

describe("parseStrictJson: numbers mean one value to every parser", () => {
  it("refuses an integral value written with a fraction or an exponent, naming where it is", () => {
    for (const [text, where] of [
      ['{"integratedTime":1748917292.0}', "integratedTime"],
      ['{"integratedTime":1.748917292e9}', "integratedTime"],
      ['{"integratedTime":1748917292E0}', "integratedTime"],
      ['{"v":{"inclusionProof":{"hashes":[],"logIndex":-3.00}}}', "v.inclusionProof.logIndex"],
      ['{"logIndexes":[0,1e2]}', "logIndexes[1]"],
      ["[[0],[1.0]]", "[1][0]"],
      ['[{"a":1},{"b":1e-400}]', "[1].b"],
      ["2.0", "(document)"],
    ]) {
      expect(() => parseStrictJson(text!), text).toThrow(StrictJsonError);
      expect(() => parseStrictJson(text!), text).toThrow(`writes the integer at ${where} as `);
    }
  });

  it("refuses integers beyond 2^53 - 1 (a double cannot hold them) and numbers beyond a double", () => {
    for (const text of ['{"logIndex":9007199254740992}', '{"logIndex":9007199254740993}', "[-9007199254740993]", `{"n":1${"0".repeat(400)}}`]) {
      expect(() => parseStrictJson(text), text).toThrow(/beyond 2\^53 - 1|too large for a double/);
    }
    expect(() => parseStrictJson('{"x":1e400}')).toThrow(/too large for a double at x/);
  });

  it("accepts plain integers up to 2^53 - 1, non-integral numbers, and number-like text in strings and keys", () => {
    const text = '{"a":9007199254740991,"b":-9007199254740991,"c":0,"d":-0,"e":2.5,"f":-0.125,"g":1.5e-3,"h":"1.0","1.0e3":[7,"2e0"]}';
    expect(parseStrictJson(text)).toEqual(JSON.parse(text));
  });
});
