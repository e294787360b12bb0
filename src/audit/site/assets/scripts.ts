/**
 * The pages' scripts, served as they are (no build step for the site). entry.js hands the data its
 * page embeds to the browser verifier bundle (assets/verify.js: reftrail's own verification code
 * behind WebCrypto) and claims "verified in your browser" only after that returned a verdict with
 * every check passed; anything else (a failed check, a bundle that does not load, a page whose shown
 * statement differs from the verified one) is shown as failed.
 */
export const ENTRY_JS = `const box = document.getElementById("browser-status");
const text = document.getElementById("browser-status-text");
const list = document.getElementById("browser-checks");
function show(state, strong, rest) {
  box.className = "status " + state;
  text.textContent = "";
  const b = document.createElement("strong");
  b.textContent = strong;
  text.append(b, " " + rest);
}
function bytes(base64) {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
function listChecks(checks) {
  list.textContent = "";
  for (const c of checks) {
    const li = document.createElement("li");
    li.className = c.status;
    li.textContent = c.check + ": " + c.status + (c.detail ? " (" + c.detail + ")" : "");
    list.append(li);
  }
}
// What was verified, read from the verified bytes themselves: the page's server-written summary is not.
function verifiedFacts(statement, entry) {
  try {
    const st = JSON.parse(new TextDecoder().decode(statement));
    const subject = st.subject[0];
    const release = st.predicate && st.predicate.reftrail ? st.predicate.reftrail.release.name + " " + st.predicate.reftrail.release.version : "no reftrail release";
    const proof = entry.verification.inclusionProof;
    return "It endorses " + subject.name + " (sha256 " + subject.digest.sha256 + ") of " + release + ", log index " + entry.logIndex + (proof ? " in a tree of " + proof.treeSize + " entries." : ".");
  } catch {
    return "";
  }
}
async function run() {
  show("pending", "Verifying in your browser…", "Nothing on this page has been checked yet.");
  const data = JSON.parse(document.getElementById("verify-input").textContent);
  const statement = data.statement === null ? undefined : bytes(data.statement);
  const shown = document.getElementById("raw-statement");
  if (statement !== undefined && (shown === null || shown.textContent !== new TextDecoder().decode(statement))) {
    show("failed", "Verification failed in your browser:", "the statement this page shows is not the one it carries for verification.");
    return;
  }
  if (document.getElementById("raw-signature").textContent !== data.signature) {
    show("failed", "Verification failed in your browser:", "the signature this page shows is not the one it carries for verification.");
    return;
  }
  let verdict;
  try {
    const verifier = await import(new URL("verify.js", import.meta.url).href);
    // The keys under both names the verifier's input has been given (componentKey/logKey, *Pem).
    const input = { signature: bytes(data.signature), entryId: data.entryId, entry: data.entry, componentKey: data.componentKeyPem, logKey: data.logKeyPem };
    if (statement !== undefined) input.statement = statement;
    verdict = await verifier.verifyLoggedEntry(verifier.webAsyncCrypto, input);
  } catch (err) {
    show("failed", "Not verified:", "the verifier could not run in your browser (" + (err && err.message ? err.message : String(err)) + "). Nothing on this page was verified here.");
    return;
  }
  const checks = Array.isArray(verdict && verdict.checks) ? verdict.checks : [];
  listChecks(checks);
  const failures = Array.isArray(verdict && verdict.failures) ? verdict.failures : ["no verdict"];
  if (verdict && verdict.verified === true && failures.length === 0 && checks.length > 0 && checks.every((c) => c.status !== "failed")) {
    const passed = checks.filter((c) => c.status === "passed").length + " checks passed: ";
    if (statement === undefined) show("verified", "Verified in your browser, without its statement:", passed + "the log entry, its signature over the statement's digest, its inclusion proof and the signed checkpoint. The statement itself was not available to check.");
    else show("verified", "Verified in your browser.", passed + "the statement's signature, the log entry, its inclusion proof and the signed checkpoint. " + verifiedFacts(statement, data.entry));
  } else {
    show("failed", "Verification failed in your browser:", failures.join(", ") || "the verifier did not accept the entry.");
  }
}
run();
`;

export const SEARCH_JS = `const form = document.getElementById("measurement-form");
const input = document.getElementById("measurement");
const out = document.getElementById("search-results");
function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.append(td);
}
async function search(raw) {
  const digest = raw.trim().toLowerCase();
  out.textContent = "";
  if (!/^([0-9a-f]{64}|[0-9a-f]{96})$/.test(digest)) {
    out.textContent = "Not a measurement: give 96 hex digits (SNP, SEV-ES) or 64 (SEV).";
    return;
  }
  let rows = [];
  const res = await fetch("measurements/" + digest.slice(0, 3) + ".json");
  if (res.ok) rows = (await res.json()).filter((r) => r.digest === digest);
  else if (res.status !== 404) {
    out.textContent = "The index could not be read (HTTP " + res.status + ").";
    return;
  }
  if (rows.length === 0) {
    out.textContent = "No endorsed release and configuration in this log produces " + digest + ".";
    return;
  }
  const p = document.createElement("p");
  p.textContent = rows.length + " endorsed configuration" + (rows.length > 1 ? "s produce" : " produces") + " this measurement:";
  const table = document.createElement("table");
  table.innerHTML = "<caption>Endorsed configurations producing the measurement</caption><thead><tr><th scope=col>Release</th><th scope=col>Firmware</th><th scope=col>Mode</th><th scope=col>VMM</th><th scope=col>vCPUs</th><th scope=col>vCPU type</th><th scope=col>Guest features</th><th scope=col>Boot</th><th scope=col>Digest origin</th><th scope=col>Reference values</th><th scope=col>Log entry</th></tr></thead><tbody></tbody>";
  for (const r of rows) {
    const tr = document.createElement("tr");
    cell(tr, r.release);
    cell(tr, r.component);
    cell(tr, r.mode);
    cell(tr, r.vmm ?? "any");
    cell(tr, r.vcpus === null ? "any" : String(r.vcpus));
    cell(tr, r.vcpuType ?? r.vcpuSignature ?? "—");
    cell(tr, r.guestFeatures ?? "—");
    cell(tr, r.kernel ?? "firmware only");
    cell(tr, r.origin);
    cell(tr, r.referenceValues);
    if (r.referenceValues.startsWith("Flagged")) tr.className = "flagged";
    const td = document.createElement("td");
    const a = document.createElement("a");
    a.href = "entries/" + r.logIndex + ".html";
    a.textContent = String(r.logIndex);
    td.append(a);
    tr.append(td);
    table.tBodies[0].append(tr);
  }
  out.append(p, table);
}
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const url = new URL(location.href);
  url.searchParams.set("m", input.value.trim());
  history.replaceState(null, "", url);
  search(input.value).catch((err) => (out.textContent = "The search failed: " + err.message));
});
const given = new URL(location.href).searchParams.get("m");
if (given) {
  input.value = given;
  search(given).catch((err) => (out.textContent = "The search failed: " + err.message));
}
`;
