/**
 * File names, JSON keys and other text from inputs reach the terminal in messages and tables.
 * Control characters (escape sequences can erase or hide lines) and bidirectional overrides are
 * shown as escapes instead, so what is printed is what the input says.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
