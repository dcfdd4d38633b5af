import { defineConfig, devices } from "@playwright/test";

/**
 * End-to-end tests in Debian's Chromium (Playwright cannot download its own browsers here) against
 * the portal server that scripts/test.ts started (PORTAL_URL) on the real local cluster.
 */
/** Debian's Chromium as root, headless, without background traffic this network refuses. */
const chromiumArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Every project's browser: Debian's Chromium at a desktop size. */
const desktopChromium = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: chromiumArgs,
  },
};

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  outputDir: ".local/reports/playwright-artifacts",
  use: {
    baseURL: process.env.PORTAL_URL ?? "http://127.0.0.1:3000",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    locale: "en-US",
  },
  projects: [
    {
      name: "chromium",
      testIgnore: [/outage\.spec\.ts/, /metrics\.spec\.ts/, /replicas\.spec\.ts/, /e2e\/dev\//],
      use: desktopChromium,
    },
    {
      // Measures a guest's CPU: runs alone after the parallel specs, so that a busy vCPU gets a
      // host core (on 2 cores, the parallel specs' load capped it at 39-60%).
      name: "metrics",
      testMatch: /metrics\.spec\.ts/,
      testIgnore: /e2e\/dev\//,
      dependencies: ["chromium"],
      use: desktopChromium,
    },
    {
      // Stops and restarts the API server: runs alone, after every other spec.
      name: "outage",
      testMatch: /outage\.spec\.ts/,
      testIgnore: /e2e\/dev\//,
      dependencies: ["metrics"],
      use: desktopChromium,
    },
    {
      // Two replicas of the image behind HAProxy: scripts/test.ts's PostgreSQL pass runs only this project there.
      name: "replicas",
      testMatch: /replicas\.spec\.ts/,
      testIgnore: /e2e\/dev\//,
      use: desktopChromium,
    },
    {
      // `npm run dev` (scripts/test.ts step "dev" starts it and runs only this project).
      name: "dev",
      testMatch: /e2e\/dev\/.*\.spec\.ts/,
      use: desktopChromium,
    },
  ],
});
