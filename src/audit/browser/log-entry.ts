/**
 * Rekor's answer for one entry, `{"<entry id>": LogEntry}` (logentry.json), split into the two
 * inputs verifyLoggedEntry takes. The LogEntry is checked there (LOG_ENTRY), not here.
 */
export function parseLogEntryResponse(text: string): { entryId: string; entry: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("logentry.json is not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("logentry.json is not an object {\"<entry id>\": LogEntry}");
  const entries = Object.entries(json);
  if (entries.length !== 1) throw new Error(`logentry.json holds ${entries.length} entries, not exactly one`);
  const [entryId, entry] = entries[0]!;
  return { entryId, entry };
}
