import { runAction } from "../common/runner.js";
import { endorseAction } from "./main.js";

await runAction(endorseAction);
