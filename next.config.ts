import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig: NextConfig = {
  // The cluster client and the database driver are Node-only; keep them out of the bundles.
  serverExternalPackages: ["@kubernetes/client-node", "better-sqlite3", "@prisma/adapter-better-sqlite3", "pino"],
  poweredByHeader: false,
  // Tests build into their own folder so a running `npm run dev` is not disturbed.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // Security headers on every answer: no framing (clickjacking), no MIME sniffing, no full URL in
  // Referer to other sites; HSTS only when the portal is served over https (NEXTAUTH_URL), read
  // when the server starts. A nonce-based script Content-Security-Policy is still to come (issue 10).
  async headers() {
    const https = (process.env.NEXTAUTH_URL ?? "").startsWith("https://");
    return [{
      source: "/:path*",
      headers: [
        { key: "Content-Security-Policy", value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'" },
        { key: "X-Frame-Options", value: "DENY" },
        { key: "X-Content-Type-Options", value: "nosniff" },
        { key: "Referrer-Policy", value: "same-origin" },
        ...(https ? [{ key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" }] : []),
      ],
    }];
  },
};

export default withNextIntl(nextConfig);
