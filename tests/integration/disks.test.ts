/**
 * The disk slice through the portal's API against the real local cluster and the stand-in's CDI:
 * every VMDisk source, 422s naming the field with nothing created, live progress of a real HTTP
 * import on the stream, a 404 import failing with its reason, grow (never shrink), attach/detach
 * on a stopped VM, delete refused while attached, RBAC, audit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import Ajv from "ajv";
import { getObject, paths, portalUrl, signIn, uniqueName, type PortalClient } from "./helpers";
import { getDb } from "../../lib/server/db/db";

let alice: PortalClient;
let victor: PortalClient;
let bob: PortalClient;
const ns = "tenant-acme";
const dvPath = (name: string) => `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes/vm-disk-${name}`;

const schemaDir = fs.existsSync(path.resolve("../shared/spec/cozystack")) ? path.resolve("../shared/spec/cozystack") : path.resolve("dev-cluster/cozystack-schemas");
const validateVmDiskSpec = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(fs.readFileSync(path.join(schemaDir, "vm-disk.values.schema.json"), "utf8")));

/** An HTTP server in this process serving `/image.raw` (`bytes` long, throttled) and 404 elsewhere. */
let files: http.Server;
let filesUrl = "";
const imageBytes = 6 * 1024 * 1024;

async function auditRows(action: string, targetName: string) {
  return getDb().auditLog.findMany({ where: { action, targetName }, orderBy: { createdAt: "asc" } });
}

async function waitForDisk(client: PortalClient, name: string, until: (d: any) => boolean, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any = null;
  while (Date.now() < deadline) {
    const res = await client.call("GET", "/api/tenants/acme/disks");
    last = res.body.find?.((d: { name: string }) => d.name === name);
    if (last && until(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`disk ${name} did not reach the expected state: ${JSON.stringify(last)}`);
}

/** Reads the disk event stream until `until` says stop; returns every upsert of `name`. */
async function readStream(client: PortalClient, name: string, until: (d: any) => boolean, timeoutMs: number): Promise<any[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const seen: any[] = [];
  try {
    const res = await fetch(`${portalUrl}/api/tenants/acme/disks?watch=true`, { headers: { cookie: client.cookie }, signal: ac.signal });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let sep: number;
      while ((sep = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!event || !data) continue;
        const rows = event === "snapshot" ? JSON.parse(data) : event === "upsert" ? [JSON.parse(data)] : [];
        for (const row of rows) {
          if (row.name !== name) continue;
          seen.push(row);
          if (until(row)) return seen;
        }
      }
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return seen;
}

beforeAll(async () => {
  [alice, victor, bob] = await Promise.all([
    signIn("alice", "alice-password"),
    signIn("victor", "victor-password"),
    signIn("bob", "bob-password"),
  ]);
  files = http.createServer((req, res) => {
    if (req.url !== "/image.raw") return void res.writeHead(404, { "Content-Type": "text/plain" }).end("not here");
    // 6 MiB at about 2 MiB/s: long enough for several progress writes (the stand-in writes every 500 ms).
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": imageBytes });
    const chunk = Buffer.alloc(256 * 1024, 7);
    let sent = 0;
    const tick = setInterval(() => {
      if (sent >= imageBytes || res.destroyed) {
        clearInterval(tick);
        res.end();
        return;
      }
      res.write(chunk);
      sent += chunk.length;
    }, 125);
  });
  await new Promise<void>((r) => files.listen(0, "127.0.0.1", r));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});

afterAll(async () => {
  files?.closeAllConnections();
  await new Promise((r) => files?.close(r));
  await getDb().$disconnect();
});

describe("storage classes", () => {
  it("lists the cluster's StorageClasses, replicated first as the default", async () => {
    const res = await alice.call("GET", "/api/tenants/acme/storageclasses");
    expect(res.status).toBe(200);
    expect(res.body[0]).toMatchObject({ name: "replicated", isDefault: true });
    expect(res.body.map((c: { name: string }) => c.name)).toContain("local");
  });
});

describe("bad input: 422 naming the field, nothing created", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["an ftp:// URL", { source: { http: { url: "ftp://example.org/disk.img" } } }, "source.http.url"],
    ["a file:// URL", { source: { http: { url: "file:///etc/passwd" } } }, "source.http.url"],
    ["a size below the golden image's", { source: { image: { name: "ubuntu" } }, storage: "2Gi" }, "storage"],
    ["a size below a documented image's minimum", { source: { http: { url: "https://cloud.centos.org/centos/9-stream/x86_64/images/CentOS-Stream-GenericCloud-9-latest.x86_64.qcow2" } }, storage: "5Gi" }, "storage"],
    ["two sources at once", { source: { http: { url: "https://example.org/a.img" }, image: { name: "ubuntu" } }, storage: "20Gi" }, "source"],
    ["an unknown storage class", { storageClass: "gold-plated" }, "storageClass"],
    ["an unknown golden image", { source: { image: { name: "beos" } }, storage: "20Gi" }, "source.image.name"],
    ["a clone of a disk that does not exist", { source: { disk: { name: "no-such-disk" } } }, "source.disk.name"],
    ["a size without a number", { storage: "big" }, "storage"],
  ];

  it.each(cases)("refuses %s", async (_label, patch, field) => {
    const name = uniqueName("bad");
    const res = await alice.call("POST", "/api/tenants/acme/disks", { name, ...patch });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error.field).toBe(field);
    expect(res.body.error.message).toContain(field);
    expect(await getObject(paths.vmDisk(ns, name))).toBeNull();
    expect((await auditRows("disk.create", name)).map((r) => r.result)).toEqual(["failure"]);
  });

  it("names the minimum in the message", async () => {
    const res = await alice.call("POST", "/api/tenants/acme/disks", { name: uniqueName("small"), source: { image: { name: "ubuntu" } }, storage: "2Gi" });
    expect(res.body.error.message).toMatch(/at least 4 GiB for image ubuntu/);
  });
});

describe("access", () => {
  it("refuses victor's create with 403 and audits it; bob gets 404 for acme", async () => {
    const name = uniqueName("denied");
    expect((await victor.call("POST", "/api/tenants/acme/disks", { name })).status).toBe(403);
    expect((await victor.call("GET", "/api/tenants/acme/disks")).status).toBe(200);
    expect((await bob.call("GET", "/api/tenants/acme/disks")).status).toBe(404);
    expect((await bob.call("POST", "/api/tenants/acme/disks", { name })).status).toBe(404);
    expect(await getObject(paths.vmDisk(ns, name))).toBeNull();
    expect((await auditRows("disk.create", name)).map((r) => r.result)).toEqual(["denied", "denied"]);
  });
});

describe("sources", () => {
  const created: string[] = [];
  afterAll(async () => {
    for (const name of created) await alice.call("DELETE", `/api/tenants/acme/disks/${name}`);
  });

  it("imports an HTTP URL and streams its progress through several values to 100 %", async () => {
    const name = uniqueName("http");
    created.push(name);
    const res = await alice.call("POST", "/api/tenants/acme/disks", { name, source: { http: { url: `${filesUrl}/image.raw` } }, storage: "1Gi" });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ name, storageClass: "replicated", source: { type: "http" }, optical: false, attachedTo: null });
    const disk = await getObject(paths.vmDisk(ns, name));
    expect(disk.spec).toEqual({ source: { http: { url: `${filesUrl}/image.raw` } }, optical: false, storage: "1Gi", storageClass: "replicated" });
    expect(validateVmDiskSpec(disk.spec), JSON.stringify(validateVmDiskSpec.errors)).toBe(true);

    const rows = await readStream(alice, name, (d) => d.phase === "Succeeded" || d.phase === "Failed", 30_000);
    const progress = [...new Set(rows.map((r) => r.progress).filter((p) => typeof p === "number"))];
    expect(rows.at(-1)).toMatchObject({ phase: "Succeeded", progress: 100 });
    expect(progress.filter((p) => p > 0 && p < 100).length, JSON.stringify(progress)).toBeGreaterThanOrEqual(3);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(rows.some((r) => r.phase === "ImportInProgress")).toBe(true);
  });

  it("ends a 404 URL as a failed disk with CDI's reason", async () => {
    const name = uniqueName("gone");
    created.push(name);
    expect((await alice.call("POST", "/api/tenants/acme/disks", { name, source: { http: { url: `${filesUrl}/missing.iso` } }, optical: true, storage: "1Gi" })).status).toBe(201);
    const row = await waitForDisk(alice, name, (d) => d.phase === "Failed");
    expect(row.message).toMatch(/404/);
    expect(row.optical).toBe(true);
  });

  it("creates a blank disk, a golden-image disk and a clone of it (not below its size)", async () => {
    const blank = uniqueName("blank");
    const fromImage = uniqueName("img");
    const clone = uniqueName("clone");
    created.push(clone, fromImage, blank);
    expect((await alice.call("POST", "/api/tenants/acme/disks", { name: blank, storageClass: "local", storage: "2Gi" })).status).toBe(201);
    expect((await alice.call("POST", "/api/tenants/acme/disks", { name: fromImage, source: { image: { name: "alpine" } }, storage: "10Gi" })).status).toBe(201);
    const small = await alice.call("POST", "/api/tenants/acme/disks", { name: clone, source: { disk: { name: fromImage } }, storage: "9Gi" });
    expect(small.status).toBe(422);
    expect(small.body.error).toMatchObject({ field: "storage" });
    expect(small.body.error.message).toMatch(new RegExp(`10 GiB for disk ${fromImage}`));
    expect((await alice.call("POST", "/api/tenants/acme/disks", { name: clone, source: { disk: { name: fromImage } }, storage: "12Gi" })).status).toBe(201);

    expect(await waitForDisk(alice, blank, (d) => d.phase === "Succeeded")).toMatchObject({ storageClass: "local", source: { type: "blank" }, storageBytes: 2 * 2 ** 30 });
    expect(await waitForDisk(alice, fromImage, (d) => d.phase === "Succeeded")).toMatchObject({ source: { type: "image", detail: "alpine" } });
    expect(await waitForDisk(alice, clone, (d) => d.phase === "Succeeded")).toMatchObject({ source: { type: "disk", detail: fromImage }, progress: 100 });
    expect((await getObject(dvPath(clone))).spec.source).toEqual({ pvc: { namespace: ns, name: `vm-disk-${fromImage}` } });
  });

  it("creates an upload disk that waits for its upload", async () => {
    const name = uniqueName("up");
    created.push(name);
    expect((await alice.call("POST", "/api/tenants/acme/disks", { name, source: { upload: {} }, optical: true, storage: "1Gi" })).status).toBe(201);
    expect(await waitForDisk(alice, name, (d) => d.phase === "UploadReady")).toMatchObject({ source: { type: "upload" }, optical: true });
  });
});

describe("grow", () => {
  const name = uniqueName("grow");
  afterAll(async () => {
    await alice.call("DELETE", `/api/tenants/acme/disks/${name}`);
  });

  it("grows, never shrinks, and never changes the storage class", async () => {
    expect((await alice.call("POST", "/api/tenants/acme/disks", { name, storage: "2Gi" })).status).toBe(201);
    const grown = await alice.call("PATCH", `/api/tenants/acme/disks/${name}`, { storage: "3Gi" });
    expect(grown.status, JSON.stringify(grown.body)).toBe(200);
    expect((await getObject(paths.vmDisk(ns, name))).spec.storage).toBe("3Gi");

    const shrink = await alice.call("PATCH", `/api/tenants/acme/disks/${name}`, { storage: "1Gi" });
    expect(shrink.status).toBe(422);
    expect(shrink.body.error.field).toBe("storage");
    expect(shrink.body.error.message).toMatch(/cannot shrink/);

    const klass = await alice.call("PATCH", `/api/tenants/acme/disks/${name}`, { storage: "4Gi", storageClass: "local" });
    expect(klass.status).toBe(422);
    expect(klass.body.error.field).toBe("storageClass");
    const disk = await getObject(paths.vmDisk(ns, name));
    expect(disk.spec).toMatchObject({ storage: "3Gi", storageClass: "replicated" });
    expect((await auditRows("disk.grow", name)).map((r) => r.result)).toEqual(["success", "failure", "failure"]);
    expect((await victor.call("PATCH", `/api/tenants/acme/disks/${name}`, { storage: "5Gi" })).status).toBe(403);
  });
});

describe("disks and VMs", () => {
  const vm = uniqueName("vmd");
  const data = uniqueName("data");
  const iso = uniqueName("iso");

  afterAll(async () => {
    await alice.call("DELETE", `/api/tenants/acme/vms/${vm}?withDisks=true`);
    for (const d of [data, iso]) await alice.call("DELETE", `/api/tenants/acme/disks/${d}`);
  });

  it("creates a stopped VM with a new data disk and an existing optical disk, in boot order", async () => {
    expect((await alice.call("POST", "/api/tenants/acme/disks", { name: iso, optical: true, storage: "1Gi" })).status).toBe(201);
    const res = await alice.call("POST", "/api/tenants/acme/vms", {
      name: vm, instanceType: "u1.medium", instanceProfile: "alpine", rootDisk: { source: { type: "image", name: "alpine" } },
      runStrategy: "Halted", dataDisks: [{ storage: "2Gi" }], disks: [iso],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const instance = await getObject(paths.vmInstance(ns, vm));
    expect(instance.spec.disks).toEqual([{ name: `${vm}-os` }, { name: `${vm}-d1` }, { name: iso }]);
    expect((await getObject(paths.vmDisk(ns, `${vm}-d1`))).spec).toMatchObject({ source: {}, storage: "2Gi", storageClass: "replicated" });

    const detail = await alice.call("GET", `/api/tenants/acme/vms/${vm}`);
    expect(detail.status).toBe(200);
    expect(detail.body.disks.map((d: { name: string; bootOrder: number }) => [d.bootOrder, d.name])).toEqual([[1, `${vm}-os`], [2, `${vm}-d1`], [3, iso]]);
    expect(detail.body.disks[2]).toMatchObject({ optical: true, attachedTo: vm });
  });

  it("refuses a VM that names a disk used by another VM, creating nothing", async () => {
    const other = uniqueName("vmx");
    const res = await alice.call("POST", "/api/tenants/acme/vms", {
      name: other, instanceType: "u1.medium", instanceProfile: "alpine", rootDisk: { source: { type: "image", name: "alpine" } },
      runStrategy: "Halted", disks: [iso],
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain(vm);
    expect(await getObject(paths.vmDisk(ns, `${other}-os`))).toBeNull();
  });

  it("refuses a root disk below its golden image's size", async () => {
    const other = uniqueName("vmy");
    const res = await alice.call("POST", "/api/tenants/acme/vms", {
      name: other, instanceType: "u1.medium", instanceProfile: "ubuntu", rootDisk: { source: { type: "image", name: "ubuntu" }, storage: "2Gi" }, runStrategy: "Halted",
    });
    expect(res.status).toBe(422);
    expect(res.body.error.field).toBe("rootDisk.storage");
    expect(await getObject(paths.vmDisk(ns, `${other}-os`))).toBeNull();
  });

  it("refuses to delete an attached disk with the VM's name, then detaches and deletes it", async () => {
    const refused = await alice.call("DELETE", `/api/tenants/acme/disks/${iso}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(`"${vm}"`);
    expect(await getObject(paths.vmDisk(ns, iso))).not.toBeNull();

    // The stand-in reports the Halted VM as Stopped.
    const deadline = Date.now() + 20_000;
    let detached = await alice.call("DELETE", `/api/tenants/acme/vms/${vm}/disks/${iso}`);
    while (detached.status === 409 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      detached = await alice.call("DELETE", `/api/tenants/acme/vms/${vm}/disks/${iso}`);
    }
    expect(detached.status, JSON.stringify(detached.body)).toBe(200);
    expect(detached.body.disks.map((d: { name: string }) => d.name)).toEqual([`${vm}-os`, `${vm}-d1`]);
    expect((await getObject(paths.vmInstance(ns, vm))).spec.disks).toEqual([{ name: `${vm}-os` }, { name: `${vm}-d1` }]);

    expect((await alice.call("DELETE", `/api/tenants/acme/disks/${iso}`)).status).toBe(200);
    expect(await getObject(paths.vmDisk(ns, iso))).toBeNull();
    expect((await auditRows("disk.delete", iso)).map((r) => r.result)).toEqual(["failure", "success"]);
    expect((await auditRows("vm.disk.detach", `${vm}/${iso}`)).at(-1)?.result).toBe("success");
  });

  it("attaches a disk to the stopped VM, last in boot order", async () => {
    expect((await alice.call("POST", "/api/tenants/acme/disks", { name: data, storage: "1Gi" })).status).toBe(201);
    const res = await alice.call("POST", `/api/tenants/acme/vms/${vm}/disks`, { name: data });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.disks.at(-1)).toMatchObject({ name: data, bootOrder: 3 });
    expect((await alice.call("POST", `/api/tenants/acme/vms/${vm}/disks`, { name: data })).status).toBe(409);
    expect((await victor.call("POST", `/api/tenants/acme/vms/${vm}/disks`, { name: data })).status).toBe(403);
    expect((await auditRows("vm.disk.attach", vm)).map((r) => r.result)).toEqual(["success", "failure", "denied"]);
    // Detach again so the VM's own cleanup leaves this disk to the afterAll.
    expect((await alice.call("DELETE", `/api/tenants/acme/vms/${vm}/disks/${data}`)).status).toBe(200);
  });

  it("refuses attach and detach on a VM that is not stopped, with its state", async () => {
    const running = uniqueName("vmr");
    const res = await alice.call("POST", "/api/tenants/acme/vms", {
      name: running, instanceType: "u1.medium", instanceProfile: "alpine", rootDisk: { source: { type: "image", name: "alpine" } }, runStrategy: "Always",
    });
    expect(res.status).toBe(201);
    try {
      const attach = await alice.call("POST", `/api/tenants/acme/vms/${running}/disks`, { name: data });
      expect(attach.status).toBe(409);
      expect(attach.body.error.message).toMatch(/stop it before you attach/);
      const detach = await alice.call("DELETE", `/api/tenants/acme/vms/${running}/disks/${running}-os`);
      expect(detach.status).toBe(409);
      expect((await getObject(paths.vmInstance(ns, running))).spec.disks).toEqual([{ name: `${running}-os` }]);
    } finally {
      await alice.call("DELETE", `/api/tenants/acme/vms/${running}?withDisks=true`);
    }
  });
});

describe("browser upload through the portal", () => {
  const name = uniqueName("upl");
  const blank = uniqueName("noup");
  const size = 5 * 1024 * 1024;
  afterAll(async () => {
    for (const d of [name, blank]) await alice.call("DELETE", `/api/tenants/acme/disks/${d}`);
  });

  /** Starts an upload of `total` bytes through the portal, sends `sendBytes`, then cuts the connection. */
  function cutUpload(total: number, sendBytes: number): Promise<void> {
    return new Promise((resolve) => {
      const url = new URL(`${portalUrl}/api/tenants/acme/disks/${name}/upload`);
      const req = http.request(url, { method: "POST", headers: { cookie: alice.cookie, origin: portalUrl, "content-type": "application/octet-stream", "content-length": total } });
      req.on("error", () => resolve());
      req.on("response", (res) => {
        res.resume();
        resolve();
      });
      req.write(Buffer.alloc(sendBytes, 1), () => setTimeout(() => {
        req.destroy();
        resolve();
      }, 1500));
    });
  }

  it("refuses victor (view) and a disk without an upload source", async () => {
    expect((await alice.call("POST", "/api/tenants/acme/disks", { name, source: { upload: {} }, optical: true, storage: "1Gi" })).status).toBe(201);
    expect((await alice.call("POST", "/api/tenants/acme/disks", { name: blank, storage: "1Gi" })).status).toBe(201);
    const denied = await fetch(`${portalUrl}/api/tenants/acme/disks/${name}/upload`, { method: "POST", headers: { cookie: victor.cookie, origin: portalUrl }, body: Buffer.alloc(10) });
    expect(denied.status).toBe(403);
    const wrong = await fetch(`${portalUrl}/api/tenants/acme/disks/${blank}/upload`, { method: "POST", headers: { cookie: alice.cookie, origin: portalUrl }, body: Buffer.alloc(10) });
    expect(wrong.status).toBe(409);
    expect((await wrong.json()).error.message).toMatch(/does not take uploads/);
  });

  it("refuses a file larger than the disk before sending anything on", async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(new URL(`${portalUrl}/api/tenants/acme/disks/${name}/upload`), {
        method: "POST", headers: { cookie: alice.cookie, origin: portalUrl, "content-type": "application/octet-stream", "content-length": 2 * 2 ** 30 },
      }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on("error", reject);
      req.write(Buffer.alloc(1024));
    });
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.body).error).toMatchObject({ field: "body" });
    expect(JSON.parse(answer.body).error.message).toMatch(/does not fit the disk's 1 GiB/);
    expect((await waitForDisk(alice, name, () => true)).phase).toBe("UploadReady");
  });

  it("a cut upload leaves the disk ready for another try", async () => {
    await waitForDisk(alice, name, (d) => d.phase === "UploadReady");
    await cutUpload(size, 1024 * 1024);
    const row = await waitForDisk(alice, name, (d) => d.phase === "UploadReady", 15_000);
    expect(row.progress).toBeNull();
    const rows = await auditRows("disk.upload", name);
    expect(rows.at(-1)?.result).toBe("failure");
  });

  it("streams a file to CDI's upload proxy and the disk succeeds", async () => {
    const started = Date.now();
    const res = await fetch(`${portalUrl}/api/tenants/acme/disks/${name}/upload`, {
      method: "POST", headers: { cookie: alice.cookie, origin: portalUrl, "content-type": "application/octet-stream" }, body: Buffer.alloc(size, 0x41),
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toEqual({ bytes: size });
    console.log(`upload of 5 MiB through the portal: ${((size / 2 ** 20) / ((Date.now() - started) / 1000)).toFixed(1)} MiB/s`);
    expect(await waitForDisk(alice, name, (d) => d.phase === "Succeeded")).toMatchObject({ progress: 100, optical: true });
    const again = await fetch(`${portalUrl}/api/tenants/acme/disks/${name}/upload`, { method: "POST", headers: { cookie: alice.cookie, origin: portalUrl }, body: Buffer.alloc(10) });
    expect(again.status).toBe(409);
    expect((await auditRows("disk.upload", name)).map((r) => r.result)).toEqual(["denied", "failure", "failure", "success", "failure"]);
  });
});
