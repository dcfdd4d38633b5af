/**
 * Registration of the KubeVirt stand-in's virt-api with the aggregation layer (dev and tests only).
 *
 * Endpoints may not point at 127.0.0.0/8, so the APIService names an `ExternalName` Service whose
 * `externalName` is 127.0.0.1: kube-apiserver's service resolver turns it into
 * `https://127.0.0.1:<APIService spec.service.port>` and verifies the serving certificate for
 * `virt-api.kubevirt.svc` against `caBundle` (../shared/spec/dev-cluster.md, "Aggregated API for
 * subresources.kubevirt.io"). The Service's own ports are informative only: the availability check
 * and the proxy use `spec.service.port`. Group and version priorities are KubeVirt's own
 * (virt-operator's `v1.subresources.kubevirt.io` APIService: 1000 and 15).
 */
import type { KubeObject } from "../manifests";

/** The APIService's name, as KubeVirt registers it. */
export const apiServiceName = "v1.subresources.kubevirt.io";
/**
 * CDI's APIService for UploadTokenRequests (cdi-apiserver in CDI; here the same server as
 * virt-api, see ./upload.ts), pointing at the same Service and port.
 */
export const uploadApiServiceName = "v1beta1.upload.cdi.kubevirt.io";

/**
 * The objects to apply so that kube-apiserver proxies `subresources.kubevirt.io/v1` and
 * `upload.cdi.kubevirt.io/v1beta1` to the stand-in.
 * @param port the stand-in's HTTPS port on 127.0.0.1
 * @param caBundlePem PEM of the CA that signed the stand-in's serving certificate
 */
export function apiServiceObjects(port: number, caBundlePem: string): KubeObject[] {
  const apiService = (name: string, group: string, version: string): KubeObject => ({
    apiVersion: "apiregistration.k8s.io/v1", kind: "APIService",
    metadata: { name },
    spec: {
      group, version, groupPriorityMinimum: 1000, versionPriority: 15,
      service: { namespace: "kubevirt", name: "virt-api", port },
      caBundle: Buffer.from(caBundlePem).toString("base64"),
    },
  });
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "kubevirt" } },
    {
      apiVersion: "v1", kind: "Service",
      metadata: { name: "virt-api", namespace: "kubevirt" },
      spec: { type: "ExternalName", externalName: "127.0.0.1", ports: [{ name: "https", protocol: "TCP", port, targetPort: port }] },
    },
    apiService(apiServiceName, "subresources.kubevirt.io", "v1"),
    apiService(uploadApiServiceName, "upload.cdi.kubevirt.io", "v1beta1"),
  ];
}
