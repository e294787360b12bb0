import { ReftrailError } from "../../../src/util/errors.js";

/** A failure of an Action's own step (an input, the GitHub API, a conflicting asset): one line on the runner. */
export class ActionError extends ReftrailError {}
