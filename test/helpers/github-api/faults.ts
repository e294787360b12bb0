import type { Surface } from "./router.js";

/**
 * What an injected fault does to a matching request:
 * - `status`: answer that status with GitHub's error body (and `headers`, e.g. `retry-after`) without applying the request;
 * - `delayMs`: wait, then apply and answer normally — a client that times out meanwhile still changed the state, as on
 *   the real service;
 * - `drop: "before"`: destroy the connection without applying the request; `drop: "after"`: apply it, then destroy the
 *   connection instead of answering (the change happened, the client never learns it);
 * - `hang`: never answer (until the server closes).
 */
export type FaultEffect =
  | { status: number; headers?: Record<string, string> }
  | { delayMs: number }
  | { drop: "before" | "after" }
  | { hang: true };

export type FaultSpec = FaultEffect & {
  /** HTTP method; any when absent. */
  method?: string;
  /** Matched against the path below the surface prefix, e.g. `/repos/o/r/releases/tags/v1`. */
  path: RegExp;
  surface?: Surface;
  /** How many matching requests it affects (default 1; `Infinity` for all). */
  times?: number;
};

interface ArmedFault {
  readonly spec: FaultSpec;
  remaining: number;
}

export class Faults {
  private readonly armed: ArmedFault[] = [];

  add(spec: FaultSpec): void {
    this.armed.push({ spec, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.armed.length = 0;
  }

  /** Faults still armed (a test can assert that every one it planned was hit). */
  get pending(): number {
    return this.armed.reduce((sum, fault) => sum + fault.remaining, 0);
  }

  /** The effect for this request, consuming one use of the first matching fault. */
  take(surface: Surface, method: string, path: string): FaultEffect | undefined {
    const fault = this.armed.find(({ spec, remaining }) =>
      remaining > 0 && (spec.method === undefined || spec.method.toUpperCase() === method) && (spec.surface === undefined || spec.surface === surface) && spec.path.test(path));
    if (!fault) return undefined;
    fault.remaining -= 1;
    return fault.spec;
  }
}
