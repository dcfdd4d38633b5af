/**
 * The identity the portal sends is real: the API server itself decides, by RBAC, on the
 * impersonated user and groups. These calls go straight to kube-apiserver with the portal's own
 * credentials (which can only impersonate), loaded as the portal loads them
 * (lib/server/k8s/connection.ts): the KUBECONFIG the portal was given (under `npm test -- --only
 * chart`, a token of the Helm chart's ServiceAccount), else the local cluster's portal certificate.
 */
import https from "node:https";
import { describe, expect, it } from "vitest";
import { getConnection } from "../../lib/server/k8s/connection";
import { uniqueName } from "./helpers";

async function asPortal(method: string, urlPath: string, headers: Record<string, string | string[]>, body?: unknown): Promise<number> {
  const connection = await getConnection();
  return new Promise((resolve, reject) => {
    const payload = body ? JSON.stringify(body) : undefined;
    const req = https.request(`${connection.server}${urlPath}`, {
      method, agent: connection.agent,
      headers: { ...connection.authHeaders, ...headers, ...(payload ? { "content-type": "application/json" } : {}) },
    }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

const collection = "/apis/apps.cozystack.io/v1alpha1/namespaces/tenant-acme/vminstances";
const vmInstance = (name: string) => ({
  apiVersion: "apps.cozystack.io/v1alpha1", kind: "VMInstance", metadata: { name },
  spec: { instanceType: "u1.medium", instanceProfile: "ubuntu", runStrategy: "Halted", disks: [] },
});

describe("the API server's RBAC decides on the impersonated identity", () => {
  it("refuses victor's impersonated create (view level)", async () => {
    const status = await asPortal("POST", collection, { "Impersonate-User": "victor", "Impersonate-Group": "tenant-acme-view" }, vmInstance(uniqueName("rbac")));
    expect(status).toBe(403);
  });

  it("accepts alice's impersonated create (admin level), then her delete", async () => {
    const name = uniqueName("rbac");
    expect(await asPortal("POST", collection, { "Impersonate-User": "alice", "Impersonate-Group": "tenant-acme-admin" }, vmInstance(name))).toBe(201);
    expect(await asPortal("DELETE", `${collection}/${name}`, { "Impersonate-User": "alice", "Impersonate-Group": "tenant-acme-admin" })).toBe(200);
  });

  it("reads a comma-joined Impersonate-Group line as one group, so groups must go on separate lines", async () => {
    const joined = await asPortal("GET", collection, { "Impersonate-User": "alice", "Impersonate-Group": "tenant-globex-view, tenant-acme-admin" });
    const separate = await asPortal("GET", collection, { "Impersonate-User": "alice", "Impersonate-Group": ["tenant-globex-view", "tenant-acme-admin"] });
    expect(joined).toBe(403);
    expect(separate).toBe(200);
  });

  it("lets the portal's own identity read tenant applications (the shared list caches) but never write them", async () => {
    expect(await asPortal("GET", collection, {})).toBe(200);
    expect(await asPortal("POST", collection, {}, vmInstance(uniqueName("rbac")))).toBe(403);
    expect(await asPortal("DELETE", `${collection}/any`, {})).toBe(403);
  });
});
