import { connect } from "node:net";

/** A raw TCP connection, to send a request in pieces as no HTTP client would. */
export interface RawConnection {
  write(text: string): void;
  /** What the server sent so far. */
  received(): string;
  /** Everything the server sent, once it closed the connection. */
  readonly closed: Promise<string>;
}

export function rawConnection(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ""));
    let received = "";
    socket.on("data", (d: Buffer) => (received += d.toString()));
    const closed = new Promise<string>((done) => socket.on("close", () => done(received)));
    socket.on("error", () => {}); // a reset is a close like any other here
    socket.once("connect", () => resolve({ write: (text) => void socket.write(text), received: () => received, closed }));
    socket.once("error", reject);
  });
}

/** A request whose headers stop halfway. */
export const HALF_HEADERS = "POST /api/v1/log/entries HTTP/1.1\r\nhost: localhost\r\ncontent-type: appli";
/** Complete headers, then part of the 100-byte body they announce. */
export const HALF_BODY = 'POST /api/v1/log/entries HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"kind":';

/** `promise`, or a rejection naming `what` once `ms` have passed (a generous bound, not a timing claim). */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)));
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Polls `condition` every 20 ms until it holds, failing after `ms` (a bound on waiting, not a timing claim). */
export async function until(ms: number, what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > ms) throw new Error(`${what}: not after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether a TCP connection to `url` is refused (the server stopped listening). */
export function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ""));
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(true));
  });
}
