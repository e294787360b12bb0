import { TlogError } from "../errors.js";

/** Why the server cannot listen, and whether the address or the port is at fault (the CLI names that option). */
export class ListenError extends TlogError {
  constructor(
    message: string,
    readonly culprit: "host" | "port",
  ) {
    super("LOG_LISTEN", message);
  }
}

export function listenError(err: NodeJS.ErrnoException, host: string, port: number): ListenError {
  switch (err.code) {
    case "EADDRINUSE":
      return new ListenError(`${host}:${port} is already in use`, "port");
    case "EACCES":
      return new ListenError(`not allowed to listen on ${host}:${port}`, "port");
    case "EADDRNOTAVAIL":
      return new ListenError(`${host} is not an address of this machine`, "host");
    case "ENOTFOUND":
    case "EAI_NONAME":
    case "EAI_AGAIN":
    case "EAI_FAIL":
      return new ListenError(`'${host}' is neither an IP address nor a host name that resolves (${err.code})`, "host");
    default:
      return new ListenError(`cannot listen on ${host}:${port} (${err.code ?? err.message})`, "host");
  }
}
