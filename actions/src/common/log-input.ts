import * as core from "@actions/core";
import { embeddedLogTarget, remoteLogTarget, type LogTarget } from "../../../src/tlog/target.js";
import { readInputText } from "../../../src/util/input-file.js";
import { input, workspacePath, type RunContext } from "./runner.js";

/** The log an Action works on, from its inputs `log` (a folder) or `rekor-url` with `rekor-key`. */
export type LogInput = { readonly kind: "folder"; readonly dir: string } | { readonly kind: "rekor"; readonly url: string; readonly keyFile?: string };

export function logInput(context: RunContext, defaultUrl: string): LogInput {
  const dir = input("log");
  if (dir !== "") return { kind: "folder", dir: workspacePath(context, dir) };
  const key = input("rekor-key");
  return { kind: "rekor", url: input("rekor-url", defaultUrl), ...(key !== "" ? { keyFile: workspacePath(context, key) } : {}) };
}

/**
 * Opens it. A folder is created only for writing (`create`): a reader given a missing folder fails
 * instead of watching a new empty log. Without `rekor-key` the public Rekor's key is pinned; any
 * other server's served key is trusted with a warning saying why that matters (`why`).
 */
export async function openLogInput(log: LogInput, options: { create: boolean; timeoutMs: number; retries: number; why: string }): Promise<LogTarget> {
  if (log.kind === "folder") return embeddedLogTarget(log.dir, `input 'log' ${log.dir}`, options.create);
  const subject = log.keyFile !== undefined ? `input 'rekor-key' ${log.keyFile}` : undefined;
  const pinnedKey = log.keyFile !== undefined && subject !== undefined ? { pem: readInputText(log.keyFile, subject, 64 << 10), subject } : undefined;
  const target = await remoteLogTarget(log.url, { ...(pinnedKey ? { pinnedKey } : {}), timeoutMs: options.timeoutMs, retries: options.retries, subject: "input 'rekor-url'" });
  if (target.servedKeyTrusted) core.warning(`trusting the public key ${target.log.source} serves; set rekor-key to pin it${options.why}`);
  return target;
}
