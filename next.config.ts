import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig: NextConfig = {
  // The cluster client and the database driver are Node-only; keep them out of the bundles.
  // prom-client too: server.ts and the route handlers must share its classes (lib/server/metrics.ts).
  serverExternalPackages: ["@kubernetes/client-node", "better-sqlite3", "@prisma/adapter-better-sqlite3", "pino", "prom-client"],
  poweredByHeader: false,
  // The image (Containerfile) is built from Next's standalone output: the server files and only
  // the packages they use (scripts/image/assemble.ts adds server.mjs and db-setup.mjs).
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
  // The image build leaves out tests and tooling (.containerignore) and does not type-check:
  // `npm test` runs tsc over the whole tree before anything is built.
  typescript: { ignoreBuildErrors: process.env.HIKUBE_BUILD_TYPECHECK === "off" },
  // Tests build into their own folder so a running `npm run dev` is not disturbed.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // Static security headers on every answer, /_next/static and API JSON included: no framing
  // (clickjacking), no MIME sniffing, no full URL in Referer to other sites. The CSP here is the
  // base for answers that are not pages; pages get the full nonce-based policy from proxy.ts,
  // which replaces this header. HSTS is set there too: `headers()` is evaluated by `next build`
  // and frozen into routes-manifest.json, so NEXTAUTH_URL (known when the server starts) cannot
  // be read here.
  async headers() {
    return [{
      source: "/:path*",
      headers: [
        { key: "Content-Security-Policy", value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'" },
        { key: "X-Frame-Options", value: "DENY" },
        { key: "X-Content-Type-Options", value: "nosniff" },
        { key: "Referrer-Policy", value: "same-origin" },
      ],
    }];
  },
};

export default withNextIntl(nextConfig);
