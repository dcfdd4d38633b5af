/**
 * SSH public key validation with sshpk (a maintained parser of the OpenSSH formats).
 */
import sshpk from "sshpk";
import { AppError, invalidField } from "../errors";

/**
 * Parses every key; returns them normalised (one line each, trimmed).
 * @throws AppError invalid naming `sshKeys.<index>` for the first key that does not parse
 */
export function validateSshKeys(keys: string[]): string[] {
  return keys.map((key, i) => {
    try {
      const parsed = sshpk.parseKey(key, "ssh");
      if (parsed.type === "rsa" && parsed.size < 2048) {
        throw invalidField(`sshKeys.${i}`, "rsaTooShort", { bits: parsed.size });
      }
      return key.trim();
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw invalidField(`sshKeys.${i}`, "sshKeyInvalid");
    }
  });
}
