/**
 * Where the local development cluster keeps its state (dev and tests only).
 *
 * - `stateDir`: certificates, etcd data, kubeconfigs, pid and log files. Defaults to `.local/cluster`
 *   in the project (git-ignored); `HIKUBE_CLUSTER_DIR` overrides it (tests use their own folder).
 * - `adminKubeconfig`: a client certificate in `system:masters` (set-up and tests only).
 * - `portalKubeconfig`: the portal's own identity (`hikube-portal`), which may only impersonate and
 *   read status objects; this is the file the portal loads in dev mode.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the project root. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Absolute path of the cluster state folder. */
export const stateDir = path.resolve(process.env.HIKUBE_CLUSTER_DIR ?? path.join(projectRoot, ".local", "cluster"));

/** Paths of the files inside {@link stateDir}. */
export const files = {
  pki: path.join(stateDir, "pki"),
  etcdData: path.join(stateDir, "etcd-data"),
  adminKubeconfig: path.join(stateDir, "admin.kubeconfig"),
  portalKubeconfig: path.join(stateDir, "portal.kubeconfig"),
  state: path.join(stateDir, "state.json"),
  etcdLog: path.join(stateDir, "etcd.log"),
  apiserverLog: path.join(stateDir, "kube-apiserver.log"),
  standinLog: path.join(stateDir, "standin.log"),
};
