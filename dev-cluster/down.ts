/** `npm run cluster:down [-- --purge]`: stops the local cluster; `--purge` also deletes its state. */
import { stopCluster } from "./cluster";

stopCluster({ purge: process.argv.includes("--purge") }).catch((err) => {
  console.error(`[cluster] failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
