/**
 * A running count on stderr for work counted in items (entries read, pages written), shown only on
 * a terminal (never in pipes, CI logs or --json consumers) and redrawn at most ten times a second.
 */
export interface Counter {
  update(label: string, done: number): void;
  /** Ends the counter's line, if one was drawn, so what follows starts on a line of its own. */
  end(): void;
}

export function counter(unit: string, stream: NodeJS.WriteStream = process.stderr): Counter {
  if (!stream.isTTY) return { update() {}, end() {} };
  let last = Number.NEGATIVE_INFINITY; // the first update always draws (a process younger than 100 ms would skip it)
  let drawn = false;
  return {
    update(label, done) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      stream.write(`\r${label}: ${done.toLocaleString("en-US")} ${unit}\x1b[K`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write("\n");
      drawn = false;
    },
  };
}
