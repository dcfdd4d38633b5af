/** `npm run cluster:up`: starts the local development cluster and prints how to reach it. */
import { startCluster } from "./cluster";

startCluster()
  .then((info) => {
    console.log(`KUBECONFIG=${info.portalKubeconfig}  (admin: ${info.adminKubeconfig})`);
  })
  .catch((err) => {
    console.error(`[cluster] failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
