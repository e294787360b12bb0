import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRepositoryFile, writeRepositoryFile } from "../../actions/src/common/contents.js";
import { gitHubClient } from "../../actions/src/common/github.js";
import type { RunContext } from "../../actions/src/common/runner.js";
import { startGitHubApi, type GitHubApiServer } from "../helpers/github-api/server.js";

/**
 * The repository files the Actions keep (reference values, the monitor's state): read whole at any size
 * the contents API serves up to 100 MB. Expected shas come from `git hash-object`, GitHub's own blob id.
 */

const TOKEN = "ghs_contents_test";
let server: GitHubApiServer;
let context: RunContext;

const gitHashObject = (content: Buffer) => execFileSync("git", ["hash-object", "--stdin"], { input: content, encoding: "utf8" }).trim();

beforeEach(async () => {
  server = await startGitHubApi({ token: TOKEN });
  server.state.addRepository({ owner: "acme", name: "state", defaultBranch: "main", files: { "small.json": "{}\n" } });
  process.env["GITHUB_API_URL"] = server.api;
  context = { owner: "acme", repo: "state", workspace: "/", temp: "/tmp", serverUrl: "https://github.com", event: undefined };
});

afterEach(async () => {
  delete process.env["GITHUB_API_URL"];
  expect(server.internalErrors).toEqual([]);
  await server.close();
});

describe("repository files", () => {
  it("a file over the contents API's 1 MB inline limit is read whole through its git blob", async () => {
    const github = gitHubClient({ token: TOKEN, timeoutMs: 10_000, retries: 0 });
    const big = randomBytes(1_500_000);
    expect(await writeRepositoryFile(github, context, "main", "reftrail-monitor/state.json", big, "state")).toBe("written");
    const read = await readRepositoryFile(github, context, "reftrail-monitor/state.json", "main");
    expect(read!.sha).toBe(gitHashObject(big));
    expect(read!.bytes.equals(big)).toBe(true);
    // The contents API answered without content; the blob API gave it.
    expect(server.requests.filter((r) => r.method === "GET").map((r) => r.path.replace(/[0-9a-f]{40}/, "SHA"))).toEqual([
      "/repos/acme/state/contents/reftrail-monitor%2Fstate.json",
      "/repos/acme/state/contents/reftrail-monitor%2Fstate.json",
      "/repos/acme/state/git/blobs/SHA",
    ]);
    // Writing the same bytes again changes nothing.
    expect(await writeRepositoryFile(github, context, "main", "reftrail-monitor/state.json", big, "state")).toBe("unchanged");
  });

  it("a small file is read inline; a missing one is undefined", async () => {
    const github = gitHubClient({ token: TOKEN, timeoutMs: 10_000, retries: 0 });
    expect((await readRepositoryFile(github, context, "small.json", "main"))!.bytes.toString()).toBe("{}\n");
    expect(await readRepositoryFile(github, context, "absent.json", "main")).toBeUndefined();
  });
});
