/**
 * A progress bar on stderr for long work, shown only when stderr is a terminal (never in pipes, CI
 * logs or --json consumers) and only for work large enough to notice.
 */
export interface Progress {
  update(done: number): void;
  finish(): void;
  /** Ends the bar's line without claiming completion, so an error message starts on a line of its own. */
  abort(): void;
}

const NONE: Progress = { update: () => {}, finish: () => {}, abort: () => {} };
const WIDTH = 30;

function mib(n: number): string {
  return `${(n / 1048576).toFixed(0)} MiB`;
}

export function progressBar(label: string, total: number, minimum = 64 << 20): Progress {
  if (!process.stderr.isTTY || total < minimum) return NONE;
  const start = performance.now();
  let last = 0;
  let drawn = false;
  const draw = (done: number) => {
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(fraction * WIDTH);
    const seconds = (performance.now() - start) / 1000;
    const rate = seconds > 0 ? `${(done / seconds / 1e6).toFixed(0)} MB/s` : "";
    process.stderr.write(`\r${label} [${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${mib(done)}/${mib(total)} ${rate}\x1b[K`);
    drawn = true;
  };
  return {
    update(done) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      draw(done);
    },
    finish() {
      draw(total);
      process.stderr.write("\n");
    },
    abort() {
      if (drawn) process.stderr.write("\n");
    },
  };
}
