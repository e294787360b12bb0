import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ACTIONS, bundleAction, bundlePath } from "../../scripts/build-actions.js";
import { actionYml } from "../helpers/action-runner.js";
import { ENDORSE_DEFAULTS } from "../../actions/src/endorse/inputs.js";

/**
 * A runner executes an Action straight from the repository: what it runs is the committed bundle, so
 * a bundle older than its sources would ship old code. Rebuild with `npm run actions`.
 */
describe("Action bundles and metadata", () => {
  it("finds the Actions", () => {
    expect(ACTIONS).toContain("endorse");
  });

  it.each(ACTIONS)("actions/%s/dist/index.js is the bundle of its current sources (npm run actions)", async (action) => {
    const fresh = Buffer.from(await bundleAction(action));
    const committed = readFileSync(bundlePath(action));
    expect(committed.equals(fresh), `actions/${action}/dist/index.js is stale: run npm run actions`).toBe(true);
  });

  it.each(ACTIONS)("actions/%s/action.yml runs its bundle on node24 and declares only documented inputs", (action) => {
    const yml = actionYml(action);
    expect(yml.runs).toEqual({ using: "node24", main: "dist/index.js" });
    for (const [name, spec] of Object.entries(yml.inputs)) {
      expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(spec.description.length, name).toBeGreaterThan(10);
      // A required input has no default; an optional one has one (the runner passes "" otherwise).
      expect(spec.required === true ? spec.default : typeof spec.default, name).toBe(spec.required === true ? undefined : "string");
    }
    // Every output the sources set is declared, and every declared one is set.
    const source = readFileSync(bundlePath(action), "utf8");
    const set = [...new Set([...source.matchAll(/setOutput\("([a-z-]+)"/g)].map((m) => m[1]!))].sort();
    expect(set).toEqual(Object.keys(yml.outputs).sort());
  });

  it("actions/endorse/action.yml's defaults are the ones the code falls back to", () => {
    const yml = actionYml("endorse");
    for (const [name, value] of Object.entries(ENDORSE_DEFAULTS)) expect(yml.inputs[name]?.default, name).toBe(value);
  });
});
