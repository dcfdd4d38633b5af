import { describe, expect, it } from "vitest";
import { parseSigninError } from "./signin-errors";

describe("parseSigninError", () => {
  it("reads next-auth's and the portal's codes", () => {
    expect(parseSigninError(null)).toBeNull();
    expect(parseSigninError("CredentialsSignin")).toEqual({ kind: "wrongCredentials" });
    expect(parseSigninError("Throttled:42")).toEqual({ kind: "throttled", seconds: 42 });
    expect(parseSigninError("IdentityRefused")).toEqual({ kind: "identityRefused" });
  });
  it("turns anything else into a generic failure, never echoing it", () => {
    expect(parseSigninError("OAuthCallback")).toEqual({ kind: "failed" });
    expect(parseSigninError("Throttled:<script>")).toEqual({ kind: "failed" });
    expect(parseSigninError("Throttled:99999999")).toEqual({ kind: "failed" });
  });
});
