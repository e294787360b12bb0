import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { keyEnvName } from "../../src/keys/key-store.js";
import { ReleaseManifest } from "../../src/schema/release-manifest.js";
import { actionYml } from "../helpers/action-runner.js";
import { ROOT } from "../helpers/fixtures.js";

/**
 * The example workflows users copy (.github/workflows/) against GitHub's workflow syntax as
 * docs.github.com "Workflow syntax for GitHub Actions" documents it, and against this repository:
 * pinned actions, least-privilege permissions, inputs the Actions declare, a key secret per component.
 */

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  "runs-on": string;
  permissions: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOWS = join(ROOT, ".github/workflows");
const read = (name: string) => parse(readFileSync(join(WORKFLOWS, name), "utf8")) as Workflow;
/** The permission scopes docs.github.com lists for GITHUB_TOKEN, and their levels. */
const SCOPES = ["actions", "artifact-metadata", "attestations", "checks", "contents", "deployments", "discussions", "id-token", "issues", "models", "packages", "pages", "pull-requests", "security-events", "statuses"];

describe("example workflows", () => {
  const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));

  it("are there: release.yml and monitor.yml", () => {
    expect(files.sort()).toEqual(["monitor.yml", "release.yml"]);
  });

  it.each(files)("%s: no default permissions, pinned third-party actions, local Actions called with their declared inputs", (file) => {
    const workflow = read(file);
    expect(workflow.permissions).toEqual({});
    for (const [name, job] of Object.entries(workflow.jobs)) {
      for (const [scope, level] of Object.entries(job.permissions)) {
        expect(SCOPES, `${file} ${name}`).toContain(scope);
        expect(["read", "write"]).toContain(level);
      }
      for (const step of job.steps) {
        if (step.uses === undefined) continue;
        if (step.uses.startsWith("./")) {
          const action = step.uses.replace(/^\.\/actions\//, "");
          expect(existsSync(join(ROOT, step.uses, "action.yml")), step.uses).toBe(true);
          const yml = actionYml(action);
          for (const input of Object.keys(step.with ?? {})) expect(Object.keys(yml.inputs), `${file}: ${step.uses} input ${input}`).toContain(input);
          for (const [input, spec] of Object.entries(yml.inputs)) if (spec.required) expect(step.with?.[input], `${file}: ${step.uses} needs ${input}`).toBeDefined();
        } else {
          // A full commit sha: a tag or branch can be moved under the workflow.
          expect(step.uses, `${file}: ${step.uses}`).toMatch(/^[a-z0-9-]+\/[a-z0-9._-]+(\/[a-z0-9._/-]+)?@[0-9a-f]{40}$/);
        }
      }
    }
  });

  it("release.yml endorses published releases with the permissions it uses and one key secret per component", () => {
    const workflow = read("release.yml");
    expect(workflow.on).toEqual({ release: { types: ["published"] } });
    const job = workflow.jobs["endorse"]!;
    expect(job.permissions).toEqual({ contents: "write", "pull-requests": "write" });
    const step = job.steps.find((s) => s.uses === "./actions/endorse")!;
    const manifest = ReleaseManifest.parse(JSON.parse(readFileSync(join(ROOT, step.with!["manifest"]!), "utf8")));
    const expected = Object.fromEntries(manifest.components.map((c) => [keyEnvName("REFTRAIL_KEY_", c.name), `\${{ secrets.${keyEnvName("REFTRAIL_KEY_", c.name)} }}`]));
    expect(step.env).toEqual(expected);
  });

  it("monitor.yml runs on a schedule (and by hand) with contents and issues", () => {
    const workflow = read("monitor.yml");
    const schedule = workflow.on["schedule"] as { cron: string }[];
    expect(schedule).toHaveLength(1);
    expect(schedule[0]!.cron.split(" ")).toHaveLength(5);
    expect(workflow.on).toHaveProperty("workflow_dispatch");
    expect(workflow.jobs["monitor"]!.permissions).toEqual({ contents: "write", issues: "write" });
  });
});
