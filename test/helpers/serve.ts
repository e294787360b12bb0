import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ROOT } from "./fixtures.js";

/** A real `reftrail log serve` process on a free loopback port. */
export interface ServedLog {
  readonly url: string;
  readonly process: ChildProcess;
  /** Its exit code (null if a signal ended it), once it has exited. */
  readonly exited: Promise<number | null>;
  /** What it wrote on stderr so far. */
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function serveLogProcess(dir: string): Promise<ServedLog> {
  const child = spawn(process.execPath, [join(ROOT, "dist/cli/main.js"), "log", "serve", "--log", dir, "--port", "0", "--json"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      const { url } = JSON.parse(line) as { url: string };
      resolve({
        url,
        process: child,
        exited,
        stderr: () => stderr,
        stop: (signal = "SIGTERM") => {
          child.kill(signal);
          return exited;
        },
      });
    });
    child.once("exit", (code) => reject(new Error(`log serve exited with ${code}: ${stderr}`)));
  });
}
