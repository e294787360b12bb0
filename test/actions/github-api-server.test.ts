import { getOctokit } from "@actions/github";
import { execFile, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startGitHubApi, type GitHubApiServer } from "../helpers/github-api/server.js";
import type { Repository } from "../helpers/github-api/state.js";

/**
 * The local GitHub the Actions' tests run against, driven with the client the Actions use (`@actions/github`'s
 * `getOctokit`). Every expectation is what docs.github.com documents (quoted), or comes from an independent source
 * (`git hash-object`, the seeded data), never from the server's own answers alone.
 */

const TOKEN = "ghs_local_test_token";
let server: GitHubApiServer;
let repository: Repository;
const owner = "acme";
const repo = "firmware";

function client(token = TOKEN) {
  return getOctokit(token, { baseUrl: server.api });
}

/** The rejection of a request: octokit's `RequestError` (`name` "HttpError") with the response's status and body. */
async function failureOf(promise: Promise<unknown>): Promise<{ name: string; status: number; data: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    const { name, status, response } = error as { name: string; status: number; response?: { data: unknown } };
    return { name, status, data: (response?.data ?? {}) as Record<string, unknown> };
  }
  throw new Error("the request succeeded");
}

/** Raw bytes as an upload body: octokit's method types say `string`, its request layer sends a Uint8Array as is. */
const asBody = (bytes: Uint8Array) => bytes as unknown as string;

/** `git hash-object`: git's own blob id, which GitHub documents as a file's `sha`. */
function gitHashObject(content: Buffer): string {
  return execFileSync("git", ["hash-object", "--stdin"], { input: content, encoding: "utf8" }).trim();
}

beforeEach(async () => {
  server = await startGitHubApi({ token: TOKEN });
  repository = server.state.addRepository({ owner, name: repo, defaultBranch: "trunk", files: { "README.md": "firmware\n" } });
});

afterEach(async () => {
  // An exception inside the server is a bug of the test double, whatever the client saw.
  expect(server.internalErrors).toEqual([]);
  await server.close();
});

describe("authentication and errors", () => {
  it("answers GET /repos/{owner}/{repo} with the default branch, and GitHub's headers", async () => {
    const response = await client().rest.repos.get({ owner, repo });
    expect(response.status).toBe(200);
    expect(response.data.default_branch).toBe("trunk");
    expect(response.data.full_name).toBe(`${owner}/${repo}`);
    // Every response carries `x-github-request-id` (docs: "Troubleshooting the REST API": include it when contacting support).
    expect(response.headers["x-github-request-id"]).toBe(server.requests.at(-1)!.requestId);
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
  });

  it("is found through GITHUB_API_URL, as a runner sets it, by getOctokit in a fresh process", async () => {
    // @actions/github reads GITHUB_API_URL once, when it is first imported: hence a process of its own, as the runner starts the Action.
    repository.addRelease({ tagName: "v7" });
    const script = `const { getOctokit } = await import("@actions/github");
const { data } = await getOctokit(process.env.TOKEN).rest.repos.getReleaseByTag({ owner: "${owner}", repo: "${repo}", tag: "v7" });
process.stdout.write(data.tag_name);`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd: fileURLToPath(new URL("../..", import.meta.url)), env: { ...process.env, GITHUB_API_URL: server.api, TOKEN } });
    expect(stdout).toBe("v7");
    expect(server.requests.at(-1)).toMatchObject({ surface: "api", path: `/repos/${owner}/${repo}/releases/tags/v7`, status: 200 });
  });

  it("refuses a wrong token with 401 \"Bad credentials\" and a missing one with 401 \"Requires authentication\"", async () => {
    // docs.github.com "Troubleshooting the REST API": "401 Unauthorized … Bad credentials"; "Requires authentication".
    const wrong = await failureOf(client("ghs_wrong").rest.repos.get({ owner, repo }));
    expect(wrong).toMatchObject({ name: "HttpError", status: 401, data: { message: "Bad credentials", documentation_url: expect.stringMatching(/^https:\/\/docs\.github\.com\//), status: "401" } });
    const anonymous = await fetch(`${server.api}/repos/${owner}/${repo}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ message: "Requires authentication" });
    // Both the `Bearer` and the `token` scheme are accepted ("Authenticating to the REST API").
    const bearer = await fetch(`${server.api}/repos/${owner}/${repo}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);
  });

  it("answers an unknown repository or route with GitHub's 404 body", async () => {
    const missing = await failureOf(client().rest.repos.get({ owner, repo: "nothing" }));
    expect(missing).toMatchObject({ name: "HttpError", status: 404, data: { message: "Not Found", status: "404" } });
    expect(typeof missing.data["documentation_url"]).toBe("string");
  });
});

describe("releases and release assets", () => {
  it("getReleaseByTag: the release, or an HttpError 404 when no release has the tag", async () => {
    const seeded = repository.addRelease({ tagName: "v1.0.0" });
    const found = await client().rest.repos.getReleaseByTag({ owner, repo, tag: "v1.0.0" });
    expect(found.data.id).toBe(seeded.id);
    expect(found.data.tag_name).toBe("v1.0.0");
    // "Get a release by tag name" documents 404 "Resource not found".
    const absent = await failureOf(client().rest.repos.getReleaseByTag({ owner, repo, tag: "v9.9.9" }));
    expect(absent).toMatchObject({ name: "HttpError", status: 404, data: { message: "Not Found" } });
    const byId = await client().rest.repos.getRelease({ owner, repo, release_id: seeded.id });
    expect(byId.data.tag_name).toBe("v1.0.0");
  });

  it("getLatestRelease skips drafts and prereleases; a draft is not found by tag until updateRelease publishes it", async () => {
    const octokit = client();
    repository.addRelease({ tagName: "v1" });
    repository.addRelease({ tagName: "v2-rc1", prerelease: true });
    const draft = repository.addRelease({ tagName: "v2", draft: true });
    // "The latest release is the most recent non-prerelease, non-draft release, sorted by the created_at attribute."
    expect((await octokit.rest.repos.getLatestRelease({ owner, repo })).data.tag_name).toBe("v1");
    // "Get a release by tag name": "Get a published release with the specified tag."
    expect(await failureOf(octokit.rest.repos.getReleaseByTag({ owner, repo, tag: "v2" }))).toMatchObject({ status: 404 });
    const published = await octokit.rest.repos.updateRelease({ owner, repo, release_id: draft.id, draft: false });
    expect(published.data).toMatchObject({ draft: false, tag_name: "v2", published_at: expect.any(String) });
    expect((await octokit.rest.repos.getReleaseByTag({ owner, repo, tag: "v2" })).data.id).toBe(draft.id);
    expect((await octokit.rest.repos.getLatestRelease({ owner, repo })).data.tag_name).toBe("v2");
    // "List releases": newest first.
    expect((await octokit.rest.repos.listReleases({ owner, repo })).data.map((release) => release.tag_name)).toEqual(["v2", "v2-rc1", "v1"]);
  });

  it("octokit.paginate walks every page of listReleaseAssets, following the Link header", async () => {
    const release = repository.addRelease({ tagName: "v2" });
    const names = Array.from({ length: 7 }, (_, i) => `component-${i}.bin`);
    for (const name of names) repository.addAsset(release, { name, data: Buffer.from(name) });
    const octokit = client();

    // "Using pagination in the REST API": the `link` header has `rel="next"` and `rel="last"` URLs when there are more pages.
    const first = await octokit.rest.repos.listReleaseAssets({ owner, repo, release_id: release.id, per_page: 3 });
    expect(first.data.map((asset) => asset.name)).toEqual(names.slice(0, 3));
    const link = first.headers.link ?? "";
    expect(link).toMatch(/<[^>]*[?&]page=2[^>]*>; rel="next"/);
    expect(link).toMatch(/<[^>]*[?&]page=3[^>]*>; rel="last"/);
    expect(link).toMatch(/per_page=3/);

    server.requests.length = 0;
    const all = await octokit.paginate(octokit.rest.repos.listReleaseAssets, { owner, repo, release_id: release.id, per_page: 3 });
    expect(all.map((asset) => asset.name)).toEqual(names);
    expect(server.requests.map((request) => request.query["page"] ?? "1")).toEqual(["1", "2", "3"]);
    // "The link header will be omitted … if all results fit on a single page."
    const single = await octokit.rest.repos.listReleaseAssets({ owner, repo, release_id: release.id, per_page: 100 });
    expect(single.headers.link).toBeUndefined();
  });

  it("uploadReleaseAsset to the release's upload_url; a second upload of the same name is 422 already_exists", async () => {
    const release = repository.addRelease({ tagName: "v3" });
    const octokit = client();
    const { data: published } = await octokit.rest.repos.getReleaseByTag({ owner, repo, tag: "v3" });
    // The documented upload_url is a URI template on the uploads host: "…/releases/1/assets{?name,label}".
    expect(published.upload_url).toBe(`${server.uploads}/repos/${owner}/${repo}/releases/${release.id}/assets{?name,label}`);
    const bytes = Buffer.from("endorsement bytes\n");
    const upload = () => octokit.rest.repos.uploadReleaseAsset({
      owner, repo, release_id: release.id, url: published.upload_url, name: "endorsement.json", label: "Endorsement", data: asBody(bytes),
      headers: { "content-type": "application/json", "content-length": bytes.length },
    });
    const created = await upload();
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ name: "endorsement.json", label: "Endorsement", size: bytes.length, content_type: "application/json", state: "uploaded" });
    expect(server.requests.at(-1)).toMatchObject({ surface: "uploads", method: "POST", query: { name: "endorsement.json", label: "Endorsement" } });

    // "Upload a release asset": "If you upload an asset with the same filename as another uploaded asset, you'll receive
    // an error and must delete the old file before you can re-upload the new asset." The error is 422 with
    // `{"resource":"ReleaseAsset","code":"already_exists","field":"name"}` (as clients report it, semantic-release/github#102).
    const duplicate = await failureOf(upload());
    expect(duplicate).toMatchObject({ name: "HttpError", status: 422, data: { message: "Validation Failed", errors: [{ resource: "ReleaseAsset", code: "already_exists", field: "name" }] } });

    // "Delete a release asset": 204; then the name is free again.
    const deleted = await octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: created.data.id });
    expect(deleted.status).toBe(204);
    expect((await upload()).status).toBe(201);
    expect(repository.releases[0]!.assets.map((asset) => asset.name)).toEqual(["endorsement.json"]);
  });

  it("uploads with baseUrl pointing at the uploads surface too (octokit's default route)", async () => {
    const release = repository.addRelease({ tagName: "v3b" });
    const created = await client().rest.repos.uploadReleaseAsset({ owner, repo, release_id: release.id, name: "a.bin", data: asBody(Buffer.from([1, 2, 3])), baseUrl: server.uploads });
    expect(created.status).toBe(201);
    expect(release.assets[0]!.data).toEqual(Buffer.from([1, 2, 3]));
  });

  it("downloads an asset with Accept: application/octet-stream, by a 302 redirect or streamed directly", async () => {
    const release = repository.addRelease({ tagName: "v4" });
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
    const asset = repository.addAsset(release, { name: "stage0.bin", data: bytes });
    const octokit = client();
    // "Get a release asset": "If the accept header is application/octet-stream, the API will either redirect the client
    // to the location, or stream it directly if possible. API clients should handle both a 200 or 302 response."
    const raw = await fetch(`${server.api}/repos/${owner}/${repo}/releases/assets/${asset.id}`, { headers: { authorization: `token ${TOKEN}`, accept: "application/octet-stream" }, redirect: "manual" });
    expect(raw.status).toBe(302);
    const location = raw.headers.get("location")!;
    expect(Buffer.from(await (await fetch(location)).arrayBuffer())).toEqual(bytes);

    const followed = await octokit.rest.repos.getReleaseAsset({ owner, repo, asset_id: asset.id, headers: { accept: "application/octet-stream" } });
    expect(Buffer.from(followed.data as unknown as ArrayBuffer)).toEqual(bytes);
    server.state.assetDownload = "stream";
    const streamed = await fetch(`${server.api}/repos/${owner}/${repo}/releases/assets/${asset.id}`, { headers: { authorization: `token ${TOKEN}`, accept: "application/octet-stream" }, redirect: "manual" });
    expect(streamed.status).toBe(200);
    expect(Buffer.from(await streamed.arrayBuffer())).toEqual(bytes);
    // Without that Accept header the asset's JSON description comes back.
    const described = await octokit.rest.repos.getReleaseAsset({ owner, repo, asset_id: asset.id });
    expect(described.data).toMatchObject({ id: asset.id, name: "stage0.bin", size: bytes.length, browser_download_url: location });
  });
});

describe("contents", () => {
  it("creates (201), reads (base64 + git blob sha), updates with the sha (200), refuses a stale sha (409) and a missing one (422)", async () => {
    const octokit = client();
    const first = Buffer.from('{"tag":"v1"}\n');
    const created = await octokit.rest.repos.createOrUpdateFileContents({ owner, repo, path: "reference-values/v1.json", message: "add v1", content: first.toString("base64") });
    // "Create or update file contents": 201 Created for a new file, 200 OK for an update; `content.sha` is the blob sha.
    expect(created.status).toBe(201);
    expect(created.data.content?.sha).toBe(gitHashObject(first));

    const read = await octokit.rest.repos.getContent({ owner, repo, path: "reference-values/v1.json" });
    const file = read.data as { type: string; encoding: string; content: string; sha: string };
    expect(file).toMatchObject({ type: "file", encoding: "base64", sha: gitHashObject(first) });
    expect(Buffer.from(file.content, "base64")).toEqual(first);

    const second = Buffer.from('{"tag":"v1","fixed":true}\n');
    const updated = await octokit.rest.repos.createOrUpdateFileContents({ owner, repo, path: "reference-values/v1.json", message: "update v1", content: second.toString("base64"), sha: file.sha });
    expect(updated.status).toBe(200);
    expect(updated.data.content?.sha).toBe(gitHashObject(second));
    expect(repository.fileAt("reference-values/v1.json")).toEqual(second);

    // The docs list 409 Conflict; a sha that is no longer the file's answers "<path> does not match <sha>".
    const stale = await failureOf(octokit.rest.repos.createOrUpdateFileContents({ owner, repo, path: "reference-values/v1.json", message: "stale", content: first.toString("base64"), sha: file.sha }));
    expect(stale).toMatchObject({ name: "HttpError", status: 409, data: { message: `reference-values/v1.json does not match ${file.sha}` } });
    // `sha` is "Required if you are updating a file": without it, 422 `Invalid request.\n\n"sha" wasn't supplied.`.
    const missing = await failureOf(octokit.rest.repos.createOrUpdateFileContents({ owner, repo, path: "reference-values/v1.json", message: "no sha", content: first.toString("base64") }));
    expect(missing).toMatchObject({ status: 422, data: { message: expect.stringContaining('"sha" wasn\'t supplied') } });
    expect(repository.fileAt("reference-values/v1.json")).toEqual(second);

    const absent = await failureOf(octokit.rest.repos.getContent({ owner, repo, path: "reference-values/v2.json" }));
    expect(absent).toMatchObject({ status: 404 });
  });

  it("writes on a `branch` made with createRef, leaving the default branch alone; a duplicate ref is 422", async () => {
    const octokit = client();
    const { data: trunk } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/trunk" });
    expect(trunk.ref).toBe("refs/heads/trunk");
    // "Create a reference": 201; "Reference already exists" is a 422.
    const made = await octokit.rest.git.createRef({ owner, repo, ref: "refs/heads/reftrail/v1", sha: trunk.object.sha });
    expect(made.status).toBe(201);
    expect(made.data.object.sha).toBe(trunk.object.sha);
    const again = await failureOf(octokit.rest.git.createRef({ owner, repo, ref: "refs/heads/reftrail/v1", sha: trunk.object.sha }));
    expect(again).toMatchObject({ name: "HttpError", status: 422, data: { message: "Reference already exists" } });
    // "If the {ref} doesn't match an existing ref, a 404 is returned."
    expect(await failureOf(octokit.rest.git.getRef({ owner, repo, ref: "heads/nothing" }))).toMatchObject({ status: 404 });

    const bytes = Buffer.from("state\n");
    await octokit.rest.repos.createOrUpdateFileContents({ owner, repo, path: "monitor/state.json", message: "state", content: bytes.toString("base64"), branch: "reftrail/v1" });
    expect(repository.fileAt("monitor/state.json", "reftrail/v1")).toEqual(bytes);
    expect(repository.fileAt("monitor/state.json")).toBeUndefined();
    const onBranch = await octokit.rest.repos.getContent({ owner, repo, path: "monitor/state.json", ref: "reftrail/v1" });
    expect((onBranch.data as { sha: string }).sha).toBe(gitHashObject(bytes));
    const { data: moved } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/reftrail/v1" });
    expect(moved.object.sha).not.toBe(trunk.object.sha);
  });
});

describe("pull requests and issues", () => {
  it("pulls.create: 201, then 422 \"A pull request already exists\"; pulls.list filters by owner:branch head", async () => {
    const octokit = client();
    const { data: trunk } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/trunk" });
    await octokit.rest.git.createRef({ owner, repo, ref: "refs/heads/reference-values/v1", sha: trunk.object.sha });
    await octokit.rest.repos.createOrUpdateFileContents({ owner, repo, path: "reference-values/v1.json", message: "v1", content: Buffer.from("{}").toString("base64"), branch: "reference-values/v1" });
    const open = () => octokit.rest.pulls.create({ owner, repo, title: "Reference values for v1", head: "reference-values/v1", base: "trunk" });
    const created = await open();
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ state: "open", head: { ref: "reference-values/v1" }, base: { ref: "trunk" } });
    // GitHub: 422 Validation Failed, `{"resource":"PullRequest","code":"custom","message":"A pull request already exists for acme:reference-values/v1."}`.
    const duplicate = await failureOf(open());
    expect(duplicate).toMatchObject({ status: 422, data: { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom", message: "A pull request already exists for acme:reference-values/v1." }] } });

    // `head`: "Filter pulls by head user or head organization and branch name in the format of user:ref-name".
    const listed = await octokit.rest.pulls.list({ owner, repo, head: `${owner}:reference-values/v1`, state: "open" });
    expect(listed.data.map((pull) => pull.number)).toEqual([created.data.number]);
    const other = await octokit.rest.pulls.list({ owner, repo, head: `${owner}:reference-values/v2` });
    expect(other.data).toEqual([]);
    expect((await octokit.rest.pulls.list({ owner, repo, state: "closed" })).data).toEqual([]);
  });

  it("issues: create with labels, list by label and state across pages (pull requests carry a pull_request key), comment", async () => {
    const octokit = client();
    for (let i = 0; i < 5; i += 1) repository.addIssue({ title: `rogue ${i}`, labels: ["reftrail-monitor", "rogue-endorsement"] });
    repository.addIssue({ title: "unrelated" });
    repository.addIssue({ title: "old alert", labels: ["reftrail-monitor"], state: "closed" });
    const created = await octokit.rest.issues.create({ owner, repo, title: "log fork", body: "consistency proof failed", labels: ["reftrail-monitor"] });
    expect(created.status).toBe(201);
    // The documented 201 of "Create an issue" carries `Location: https://api.github.com/repos/octocat/Hello-World/issues/1347`.
    expect(created.headers.location).toBe(`${server.api}/repos/${owner}/${repo}/issues/${created.data.number}`);
    expect(created.data.labels.map((label) => (typeof label === "string" ? label : label.name))).toEqual(["reftrail-monitor"]);

    // `labels`: "A list of comma separated label names" — an issue must carry them all; `state` defaults to open.
    const alerts = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, labels: "reftrail-monitor", per_page: 2 });
    expect(alerts.map((issue) => issue.title).sort()).toEqual(["log fork", "rogue 0", "rogue 1", "rogue 2", "rogue 3", "rogue 4"]);
    expect(server.requests.filter((request) => request.path.endsWith("/issues") && request.method === "GET")).toHaveLength(3);
    const rogue = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, labels: "reftrail-monitor,rogue-endorsement" });
    expect(rogue).toHaveLength(5);
    const closed = await octokit.rest.issues.listForRepo({ owner, repo, labels: "reftrail-monitor", state: "closed" });
    expect(closed.data.map((issue) => issue.title)).toEqual(["old alert"]);

    // "GitHub's REST API considers every pull request an issue … you can identify pull requests by the pull_request key."
    repository.addPull({ title: "a pull request", head: "trunk", base: "trunk" });
    const everything = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, state: "all" });
    expect(everything).toHaveLength(9);
    expect(everything.filter((issue) => issue.pull_request !== undefined).map((issue) => issue.title)).toEqual(["a pull request"]);

    const comment = await octokit.rest.issues.createComment({ owner, repo, issue_number: created.data.number, body: "still failing" });
    expect(comment.status).toBe(201);
    expect(repository.issues.find((issue) => issue.number === created.data.number)!.comments.map((entry) => entry.body)).toEqual(["still failing"]);
    expect(await failureOf(octokit.rest.issues.createComment({ owner, repo, issue_number: 999, body: "x" }))).toMatchObject({ status: 404 });
  });
});

describe("fault injection and the request log", () => {
  it("a 5xx fault fails the matching request once, then the same request succeeds", async () => {
    repository.addRelease({ tagName: "v5" });
    server.faults.add({ method: "GET", path: /\/releases\/tags\//, status: 503, times: 1 });
    const octokit = client();
    const failed = await failureOf(octokit.rest.repos.getReleaseByTag({ owner, repo, tag: "v5" }));
    expect(failed).toMatchObject({ name: "HttpError", status: 503 });
    const ok = await octokit.rest.repos.getReleaseByTag({ owner, repo, tag: "v5" });
    expect(ok.data.tag_name).toBe("v5");
    expect(server.requests.map((request) => [request.method, request.path, request.status])).toEqual([
      ["GET", `/repos/${owner}/${repo}/releases/tags/v5`, 503],
      ["GET", `/repos/${owner}/${repo}/releases/tags/v5`, 200],
    ]);
    expect(server.faults.pending).toBe(0);
  });

  it("a dropped connection before the request is applied changes nothing; after it, the change happened unseen", async () => {
    const octokit = client();
    server.faults.add({ method: "POST", path: /\/issues$/, drop: "before" });
    await expect(octokit.rest.issues.create({ owner, repo, title: "first try" })).rejects.toThrow();
    expect(repository.issues).toHaveLength(0);
    server.faults.add({ method: "POST", path: /\/issues$/, drop: "after" });
    await expect(octokit.rest.issues.create({ owner, repo, title: "second try" })).rejects.toThrow();
    expect(repository.issues.map((issue) => issue.title)).toEqual(["second try"]);
    expect(server.requests.map((request) => request.status)).toEqual(["dropped", "dropped"]);
  });

  it("a hung request times out on the client; a delayed one is applied even though the client gave up", async () => {
    const octokit = client();
    server.faults.add({ path: /\/releases\/tags\//, hang: true });
    await expect(octokit.rest.repos.getReleaseByTag({ owner, repo, tag: "v1", request: { signal: AbortSignal.timeout(200) } })).rejects.toThrow();
    expect(server.requests.at(-1)!.status).toBe("hung");

    server.faults.add({ method: "POST", path: /\/issues$/, delayMs: 400 });
    await expect(octokit.rest.issues.create({ owner, repo, title: "slow", request: { signal: AbortSignal.timeout(100) } })).rejects.toThrow();
    await expect.poll(() => repository.issues.length, { timeout: 5000 }).toBe(1);
  });
});
