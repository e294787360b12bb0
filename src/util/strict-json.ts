/**
 * JSON.parse keeps the last of duplicate keys and treats `__proto__` specially, where other parsers
 * (Oak's serde, Go's) refuse duplicates or keep the first: a signed document could then mean one
 * thing to reftrail and another to its peers. Documents reftrail reads are therefore refused when
 * any object repeats a key or uses `__proto__`, and a byte-order mark is not skipped.
 */

export class StrictJsonError extends Error {}

const FORBIDDEN_KEYS = new Set(["__proto__"]);

/** Parses JSON text, refusing duplicate keys, `__proto__` keys and a leading byte-order mark. */
export function parseStrictJson(text: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) throw new StrictJsonError("starts with a byte-order mark");
  const value: unknown = JSON.parse(text);
  checkKeys(text);
  return value;
}

/** Scans syntactically valid JSON for repeated or forbidden object keys. */
function checkKeys(text: string): void {
  // One frame per open container: the keys seen so far for an object, undefined for an array.
  const stack: (Set<string> | undefined)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      const keys = stack[stack.length - 1];
      if (keys !== undefined && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (FORBIDDEN_KEYS.has(key)) throw new StrictJsonError(`uses the key '${key}'`);
        if (keys.has(key)) throw new StrictJsonError(`repeats the key '${key.slice(0, 80)}' in one object`);
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(undefined);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] !== undefined;
    }
  }
}
