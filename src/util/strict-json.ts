/**
 * JSON.parse keeps the last of duplicate keys and treats `__proto__` specially, where other parsers
 * (Oak's serde, Go's) refuse duplicates or keep the first: a signed document could then mean one
 * thing to reftrail and another to its peers. Documents reftrail reads are therefore refused when
 * any object repeats a key or uses `__proto__`, and a byte-order mark is not skipped.
 *
 * Numbers likewise: JSON.parse turns `1748917292.0` and `1.748917292e9` into the integer 1748917292,
 * which Go refuses for an integer field, and rounds integers past 2^53 to a neighbour. So an integral
 * value written with a fraction or exponent, an integer beyond 2^53 − 1 and a number too large for a
 * double are refused. Non-integral numbers (2.5) are left to the schemas.
 */

export class StrictJsonError extends Error {}

const FORBIDDEN_KEYS = new Set(["__proto__"]);

/** A JSON number token (the text is valid JSON by then, so only the shape matters). */
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/** Parses JSON text, refusing duplicate keys, `__proto__` keys, a leading byte-order mark and ambiguous numbers. */
export function parseStrictJson(text: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) throw new StrictJsonError("starts with a byte-order mark");
  const value: unknown = JSON.parse(text);
  checkTokens(text);
  return value;
}

/** One open container: an object's keys so far and its current key, or an array's current index. */
type Frame = { readonly keys: Set<string>; key: string | undefined } | { readonly keys: undefined; index: number };

/** Where a value sits, as `a.b[2].c`, for messages. */
function pathOf(stack: readonly Frame[]): string {
  return stack.map((f, i) => (f.keys === undefined ? `[${f.index}]` : `${i ? "." : ""}${f.key ?? ""}`)).join("") || "(document)";
}

/**
 * Why a number token is refused, as the rest of "the JSON …", or undefined when it stands for exactly
 * one value every parser agrees on.
 */
function numberProblem(token: string, fraction: string | undefined, exponent: string | undefined, stack: readonly Frame[]): string | undefined {
  const value = Number(token);
  const shown = token.length > 40 ? `${token.slice(0, 40)}…` : token;
  if (!Number.isFinite(value)) return `has a number too large for a double at ${pathOf(stack)} ('${shown}')`;
  if (fraction === undefined && exponent === undefined) {
    return Number.isSafeInteger(value) ? undefined : `has an integer beyond 2^53 - 1 at ${pathOf(stack)} ('${shown}'), which would lose precision`;
  }
  return Number.isInteger(value) ? `writes the integer at ${pathOf(stack)} as '${shown}': integers must be written without a fraction or exponent` : undefined;
}

/** Scans syntactically valid JSON for repeated or forbidden object keys and ambiguous numbers. */
function checkTokens(text: string): void {
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (text.charCodeAt(j) !== 0x22) {
        if (text.charCodeAt(j) === 0x5c /* \ */) {
          escaped = true;
          j += 2;
        } else j++;
      }
      if (top?.keys !== undefined && expectKey) {
        // Without an escape a (valid) JSON string is its own text: no parse needed to know the key.
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (FORBIDDEN_KEYS.has(key)) throw new StrictJsonError(`uses the key '${key}'`);
        if (top.keys.has(key)) throw new StrictJsonError(`repeats the key '${key.slice(0, 80)}' in one object`);
        top.keys.add(key);
        top.key = key.slice(0, 80);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text)!;
      const problem = numberProblem(m[0], m[1], m[2], stack);
      if (problem !== undefined) throw new StrictJsonError(problem);
      i += m[0].length - 1;
    } else if (c === 0x7b /* { */) {
      stack.push({ keys: new Set(), key: undefined });
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push({ keys: undefined, index: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      if (top?.keys === undefined && top !== undefined) top.index++;
      expectKey = top?.keys !== undefined;
    }
  }
}
