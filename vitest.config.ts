import path from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };

/**
 * Five projects: `unit` (no cluster, mocks allowed), `integration` (the real local cluster, the
 * real portal server started by scripts/test.ts; files run one after another because one of them
 * stops and restarts the API server), `standin` (the KubeVirt stand-in's real QEMU guests; files
 * run one after another to keep the number of emulated machines low) and `chart` (the Helm chart
 * against the real local kube-apiserver, run by `scripts/test.ts --only chart` before the portal
 * starts under the chart's ServiceAccount) and `replicas` (two replicas of the image behind HAProxy,
 * run by scripts/test.ts in its PostgreSQL pass).
 */
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          environment: "node",
          include: ["lib/**/*.test.ts", "dev-cluster/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "dev-cluster/standin/**"],
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          environment: "node",
          include: ["tests/integration/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "chart",
          environment: "node",
          include: ["tests/chart/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          // the first run may build helm from the Go module proxy (dev-cluster/scripts/ensure-helm.sh)
          hookTimeout: 900_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "replicas",
          environment: "node",
          include: ["tests/replicas/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "standin",
          environment: "node",
          include: ["dev-cluster/standin/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
