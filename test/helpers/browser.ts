import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { ROOT } from "./fixtures.js";

/** Debian's chromium package (`npm run fixtures` installs it when it can). */
export const CHROMIUM = process.env["REFTRAIL_CHROMIUM"] ?? "/usr/bin/chromium";

/** Where browser tests write screenshots (ignored by git). */
export const SCREENSHOTS = join(ROOT, "test-results", "screenshots");

/**
 * Headless Chromium driven by playwright-core. A missing browser fails the test with what to do:
 * a page test that cannot run must not pass.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Debian's chromium at ${CHROMIUM}: run 'npm run fixtures' as root (apt-get install -y chromium), or set REFTRAIL_CHROMIUM to a Chromium binary`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Root cannot use Chromium's sandbox; the pages are the test's own.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] });
}

/** WCAG 2 contrast ratio of two `rgb(r, g, b)` colours, as a computed style gives them. */
export function contrastRatio(a: string, b: string): number {
  const luminance = (css: string) => {
    const m = /rgba?\((\d+), (\d+), (\d+)/.exec(css);
    if (!m) throw new Error(`not an rgb() colour: ${css}`);
    const [r, g, bl] = [m[1], m[2], m[3]].map((v) => {
      const c = Number(v) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
