import { runAction } from "../common/runner.js";
import { monitorAction } from "./main.js";

await runAction(monitorAction);
