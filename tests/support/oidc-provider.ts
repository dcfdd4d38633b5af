/**
 * A real OpenID provider for the integration and end-to-end tests: panva's `oidc-provider` (the
 * certified OP library), on 127.0.0.1 over plain HTTP, standing in for Keycloak's `cozy` realm.
 *
 * - one confidential client `hikube-portal` (secret, code flow, PKCE accepted) whose redirect URI is
 *   `<portal>/api/auth/callback/oidc`;
 * - scopes `openid profile email groups`; the `groups` claim (`tenant-<name>-<level>`,
 *   `cozystack-cluster-admin`) is served, like the other scope claims, by the userinfo endpoint
 *   (the provider is spec-conformant: claims requested by scope are not copied into the ID token);
 * - test-only login without a password: `GET /interaction/<uid>` shows a form with one field,
 *   `login` (an account name below); posting it to `/interaction/<uid>/login` signs that account in
 *   and consents to everything requested (first-party client).
 */
import crypto from "node:crypto";
import http from "node:http";
import { freePort } from "../../dev-cluster/ports";
import { Provider, type Configuration, type KoaContextWithOIDC } from "oidc-provider";

/** The provider's client for the portal. */
export const oidcClient = { id: "hikube-portal", secret: "hikube-portal-test-secret" } as const;

/** The test accounts and their groups. */
export const oidcAccounts: Record<string, { name: string; email: string; groups: string[] }> = {
  carol: { name: "Carol Keycloak", email: "carol@example.test", groups: ["tenant-acme-use"] },
  dora: { name: "Dora Platform", email: "dora@example.test", groups: ["cozystack-cluster-admin"] },
  erin: { name: "Erin Nobody", email: "erin@example.test", groups: [] },
  // Issue 10, defect 8: the portal forwards only tenant groups and the platform-admin group,
  // and refuses an identity carrying a group Kubernetes reserves.
  frank: { name: "Frank Filtered", email: "frank@example.test", groups: ["tenant-acme-view", "developers", "/platform/staff", "tenant-acme-owner", "cozystack-cluster-admins"] },
  trudy: { name: "Trudy Masters", email: "trudy@example.test", groups: ["tenant-acme-view", "system:masters"] },
};

/** A running provider. */
export interface OidcProvider {
  /** the issuer, e.g. http://127.0.0.1:40125 (no trailing slash) */
  issuer: string;
  close(): Promise<void>;
}

function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => resolve(new URLSearchParams(body)));
    req.on("error", reject);
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Starts the provider.
 * @param opts.portalUrl the portal's base URL, for the client's redirect URI
 */
export async function startOidcProvider(opts: { portalUrl: string }): Promise<OidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const signingKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });

  const configuration: Configuration = {
    clients: [{
      client_id: oidcClient.id,
      client_secret: oidcClient.secret,
      redirect_uris: [`${opts.portalUrl.replace(/\/$/, "")}/api/auth/callback/oidc`],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    }],
    jwks: { keys: [{ ...signingKey, kid: "test", use: "sig", alg: "RS256" }] as never },
    cookies: { keys: [crypto.randomBytes(32).toString("hex")] },
    claims: {
      openid: ["sub"],
      profile: ["name", "preferred_username"],
      email: ["email", "email_verified"],
      groups: ["groups"],
    },
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const account = oidcAccounts[sub];
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, preferred_username: sub, name: account.name, email: account.email, email_verified: true, groups: account.groups }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);

  // The interaction pages (login + automatic consent) in front of the provider's own routes.
  const providerHandler = provider.callback();
  const server = http.createServer((req, res) => {
    const m = /^\/interaction\/([\w-]+)(\/login)?$/.exec(new URL(req.url ?? "/", issuer).pathname);
    if (!m) return void providerHandler(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (req.method === "GET" && !m[2]) {
          res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
          res.end(`<!doctype html><title>Test sign-in</title><form method="post" action="/interaction/${escapeHtml(details.uid)}/login">` +
            `<input name="login" autofocus><button>Sign in</button></form>`);
          return;
        }
        if (req.method !== "POST" || !m[2]) {
          res.writeHead(405).end();
          return;
        }
        const login = (await readForm(req)).get("login") ?? "";
        if (!oidcAccounts[login]) {
          res.writeHead(400, { "content-type": "text/plain" }).end(`unknown account "${login}"`);
          return;
        }
        // First-party client: consent to every scope the portal asked for.
        const grant = new provider.Grant({ accountId: login, clientId: String(details.params.client_id) });
        grant.addOIDCScope(String(details.params.scope ?? "openid"));
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { login: { accountId: login }, consent: { grantId } }, { mergeWithLastSubmission: false });
      } catch (err) {
        res.writeHead(400, { "content-type": "text/plain" }).end(err instanceof Error ? err.message : String(err));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    issuer,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
