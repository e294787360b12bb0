import { logIdentity, publicKeyFromPem, type TrustedLogKey } from "../../tlog/keys.js";
import { rekorV1Logs } from "../../tlog/trusted-root.js";
import { InputError, ReftrailError } from "../../util/errors.js";
import { parsedInput, readInputText } from "../../util/input-file.js";

const MAX_KEY_BYTES = 1 << 20;

/** The Rekor v1 logs a Sigstore trusted_root.json lists, with their names and key validity. */
export function logsFromTrustedRoot(path: string, subject = path): TrustedLogKey[] {
  const text = readInputText(path, subject, 4 << 20);
  return parsedInput(subject, () => rekorV1Logs(text, path).map((l) => ({ identity: l.identity, name: l.name, validFor: l.validFor, source: `${l.baseUrl} (${path})` })));
}

/** A log given by its public key (PEM), and optionally the host name its checkpoints are signed with. */
export function logFromKeyFile(path: string, subject = path, name?: string): TrustedLogKey {
  const pem = readInputText(path, subject, MAX_KEY_BYTES);
  try {
    return { identity: logIdentity(publicKeyFromPem(pem)), ...(name !== undefined ? { name } : {}), source: path };
  } catch (err) {
    // KEY_FILE, as for a component key: the error code scripts see does not depend on which key was bad.
    if (err instanceof ReftrailError) throw new InputError("KEY_FILE", err.message, subject);
    throw err;
  }
}
