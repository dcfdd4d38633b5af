/**
 * Certificates for the local cluster, made with the openssl command line (dev and tests only).
 *
 * Two CAs: the cluster CA (serving certificate of kube-apiserver and client certificates, where
 * CN = user and O = groups, as kube-apiserver's x509 authenticator reads them) and the front-proxy
 * CA used by the aggregation layer (`--requestheader-client-ca-file`). The cluster CA also signs the
 * serving certificate of the KubeVirt stand-in's virt-api (dev-cluster/standin/virt-api.ts), which
 * the aggregator reaches as `virt-api.kubevirt.svc` and trusts through the APIService's caBundle,
 * and that of the CDI upload proxy stand-in (`upload-proxy`, 127.0.0.1 / localhost).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** Creates `<name>.key` and a self-signed `<name>.crt` (10 years) unless they exist. */
function ensureCa(dir: string, name: string, subject: string): void {
  if (fs.existsSync(path.join(dir, `${name}.crt`))) return;
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", subject,
    "-keyout", `${name}.key`, "-out", `${name}.crt`], dir);
}

/**
 * Creates `<name>.key` and `<name>.crt` signed by CA `<ca>` unless they exist.
 * @param subject openssl subject, e.g. `/O=system:masters/CN=admin`
 * @param san subjectAltName for serving certificates, e.g. `IP:127.0.0.1,DNS:localhost`
 */
function ensureLeaf(dir: string, name: string, ca: string, subject: string, usage: "server" | "client", san?: string): void {
  if (fs.existsSync(path.join(dir, `${name}.crt`))) return;
  const ext = [
    "basicConstraints=CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    `extendedKeyUsage=${usage === "server" ? "serverAuth" : "clientAuth"}`,
    ...(san ? [`subjectAltName=${san}`] : []),
  ].join("\n");
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext + "\n");
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", `${name}.key`, "-out", `${name}.csr`], dir);
  openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.crt`, "-CAkey", `${ca}.key`, "-CAcreateserial",
    "-days", "3650", "-extfile", `${name}.ext`, "-out", `${name}.crt`], dir);
}

/** Every certificate and key the cluster needs, created once in `dir` and reused afterwards. */
export function ensurePki(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  ensureCa(dir, "ca", "/CN=hikube-dev-cluster-ca");
  ensureCa(dir, "front-proxy-ca", "/CN=hikube-dev-front-proxy-ca");
  ensureLeaf(dir, "apiserver", "ca", "/CN=kube-apiserver", "server",
    "IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc");
  ensureLeaf(dir, "admin", "ca", "/O=system:masters/CN=hikube-dev-admin", "client");
  ensureLeaf(dir, "portal", "ca", "/O=hikube:portal/CN=hikube-portal", "client");
  ensureLeaf(dir, "front-proxy-client", "front-proxy-ca", "/CN=front-proxy-client", "client");
  ensureLeaf(dir, "virt-api", "ca", "/CN=virt-api.kubevirt.svc", "server",
    "DNS:virt-api.kubevirt.svc,DNS:virt-api.kubevirt.svc.cluster.local,IP:127.0.0.1");
  // The CDI upload proxy stand-in (dev-cluster/standin/upload.ts), reached directly by the portal.
  ensureLeaf(dir, "upload-proxy", "ca", "/CN=cdi-uploadproxy", "server", "IP:127.0.0.1,DNS:localhost");
  if (!fs.existsSync(path.join(dir, "sa.key"))) {
    openssl(["genrsa", "-out", "sa.key", "2048"], dir);
  }
}
