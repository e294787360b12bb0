/**
 * The browser bundle's entry (dist/audit/browser/verify.js, built by scripts/build-browser.ts):
 * what the web viewer's pages import from `<script type="module">` to re-verify what they show.
 * Nothing here or below may import a node: module; the build fails if one does.
 */
export { verifyLoggedEntry, ENTRY_CHECKS, type EntryCheck, type EntryVerdict, type LoggedEntryInput } from "./verify-entry.js";
export { webAsyncCrypto, webAsyncCryptoOf } from "./web-crypto.js";
export { spkiOfPem } from "./keys.js";
export { parseLogEntryResponse } from "./log-entry.js";
export type { AsyncCrypto } from "../../util/crypto-program.js";
export { base64Of, bytesOfBase64, bytesOfHex, hexOf, textOfUtf8, utf8Bytes } from "../../util/encoding.js";
