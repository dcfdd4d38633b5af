import { describe, expect, it } from "vitest";
import { assertImportUrlAllowed, checkImportUrl, classifyAddress, embeddedIpv4, parseAllowList } from "./import-url-policy";
import { AppError } from "../errors";

const reasonOf = (url: string, allow = "") => {
  const v = checkImportUrl(url, allow);
  return v.allowed ? "allowed" : v.reason;
};

describe("checkImportUrl: refused by default", () => {
  const cases: [string, string][] = [
    // loopback, in every spelling the URL parser reads as 127.0.0.1
    ["http://127.0.0.1:8080/x.img", "loopback"],
    ["http://127.1/", "loopback"],
    ["http://127.255.255.254/", "loopback"],
    ["http://2130706433/", "loopback"],
    ["http://0x7f.1/", "loopback"],
    ["http://0x7f000001/", "loopback"],
    ["http://017700000001/", "loopback"],
    ["http://0177.0.0.1/", "loopback"],
    ["http://１２７.０.０.１/", "loopback"],
    ["http://127.0.0.1./", "loopback"],
    ["http://user:pass@127.0.0.1/", "loopback"],
    ["http://[::1]/", "loopback"],
    ["http://[0:0:0:0:0:0:0:1]/", "loopback"],
    ["http://[::ffff:127.0.0.1]/", "loopback"],
    ["http://[::ffff:7f00:1]/", "loopback"],
    ["http://[64:ff9b::127.0.0.1]/", "loopback"],
    ["http://localhost/", "loopback"],
    ["http://LOCALHOST:3000/", "loopback"],
    ["http://localhost./", "loopback"],
    ["http://%6c%6fcalhost/", "loopback"],
    ["http://portal.localhost/", "loopback"],
    // link-local: cloud metadata
    ["http://169.254.169.254/latest/meta-data/", "link-local"],
    ["http://2852039166/", "link-local"],
    ["http://0xa9.0xfe.0xa9.0xfe/", "link-local"],
    ["http://[::ffff:169.254.169.254]/", "link-local"],
    ["http://[fe80::1]/", "link-local"],
    ["http://[FEBF::1]/", "link-local"],
    // unspecified
    ["http://0.0.0.0/", "unspecified"],
    ["http://0/", "unspecified"],
    ["http://0.1.2.3/", "unspecified"],
    ["http://[::]/", "unspecified"],
    ["http://[::ffff:0.0.0.0]/", "unspecified"],
    // private networks: the cluster's Service and pod ranges live there
    ["http://10.96.0.1/", "private"],
    ["https://172.16.0.1/", "private"],
    ["http://172.31.255.255/", "private"],
    ["http://192.168.1.10/", "private"],
    ["http://100.64.0.1/", "private"],
    ["http://[fd00::1]/", "private"],
    ["http://[::ffff:10.0.0.1]/", "private"],
    // reserved
    ["http://224.0.0.1/", "reserved"],
    ["http://255.255.255.255/", "reserved"],
    ["http://[ff02::1]/", "reserved"],
    ["http://[::127.0.0.1]/", "reserved"],
    // cluster-internal names
    ["http://kubernetes/", "cluster-internal"],
    ["http://kubernetes./", "cluster-internal"],
    ["http://metadata/computeMetadata/v1/", "cluster-internal"],
    ["http://kubernetes.default.svc/", "cluster-internal"],
    ["https://kubernetes.default.svc.cluster.local/", "cluster-internal"],
    ["http://KUBERNETES.DEFAULT.SVC./", "cluster-internal"],
    ["http://minio.storage.svc.cozy.local:9000/x.img", "cluster-internal"],
    ["http://api.tenant-root.svc.example.com/", "cluster-internal"],
    ["http://mirror.svc/", "cluster-internal"],
    ["http://pod.cluster.local/", "cluster-internal"],
    ["http://metadata.google.internal/", "cluster-internal"],
    ["http://nas.local/", "cluster-internal"],
  ];
  it.each(cases)("%s is %s", (url, reason) => {
    expect(reasonOf(url)).toBe(reason);
  });
});

describe("checkImportUrl: allowed", () => {
  const cases = [
    "https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img",
    "http://example.org/disk.img",
    "http://93.184.216.34/x.img",
    "http://172.32.0.1/",
    "http://169.255.0.1/",
    "http://[2001:db8::1]/x.img",
    "http://[64:ff9b::8.8.8.8]/",
    "http://svc.example.com/",
    "http://localhost.example.com/",
    "http://example.local.example.com/",
  ];
  it.each(cases)("%s", (url) => {
    expect(reasonOf(url)).toBe("allowed");
  });

  it("returns the parsed form to store, so that what is fetched is what was checked", () => {
    expect(checkImportUrl(" HTTP://Example.ORG/a b.img ", "")).toEqual({ allowed: true, url: "http://example.org/a%20b.img" });
    expect(checkImportUrl("http://example.org", "")).toEqual({ allowed: true, url: "http://example.org/" });
  });

  it("refuses what is not an absolute http(s) URL", () => {
    expect(reasonOf("ftp://example.org/x")).toBe("not-http");
    expect(reasonOf("file:///etc/passwd")).toBe("not-http");
    expect(reasonOf("/relative")).toBe("not-http");
    expect(reasonOf("http://1.2.3.4.5/")).toBe("not-http");
  });
});

describe("the allow-list (HIKUBE_IMPORT_ALLOWED_HOSTS)", () => {
  it("lets listed addresses, ranges, names and suffixes through, whatever their class", () => {
    const allow = "127.0.0.1, 10.0.0.0/8 mirror.svc,*.images.internal , [fd00::5], ::1";
    expect(reasonOf("http://127.0.0.1:9000/x.img", allow)).toBe("allowed");
    expect(reasonOf("http://2130706433/x.img", allow)).toBe("allowed");
    expect(reasonOf("http://[::ffff:127.0.0.1]/x.img", allow)).toBe("allowed");
    expect(reasonOf("http://127.0.0.2/x.img", allow)).toBe("loopback");
    expect(reasonOf("http://10.0.0.5/x.img", allow)).toBe("allowed");
    expect(reasonOf("http://10.96.0.1/", allow)).toBe("allowed");
    expect(reasonOf("http://192.168.0.1/", allow)).toBe("private");
    expect(reasonOf("http://MIRROR.svc./x.img", allow)).toBe("allowed");
    expect(reasonOf("http://other.svc/x.img", allow)).toBe("cluster-internal");
    expect(reasonOf("http://eu.images.internal/x.img", allow)).toBe("allowed");
    expect(reasonOf("http://images.internal/x.img", allow)).toBe("cluster-internal");
    expect(reasonOf("http://[fd00::5]/", allow)).toBe("allowed");
    expect(reasonOf("http://[::1]/", allow)).toBe("allowed");
    expect(reasonOf("http://localhost/", allow)).toBe("loopback");
  });

  it("skips entries it cannot read (ports, paths, bad ranges) and keeps the others", () => {
    const list = parseAllowList("mirror:8080, 10.0.0.0/33, http://x/, *.10.0.0.1, 300.1.1.1/8, ok.internal");
    expect([...list.names]).toEqual(["ok.internal"]);
    expect(list.suffixes).toEqual([]);
    expect(reasonOf("http://mirror/", "mirror:8080")).toBe("cluster-internal");
    expect(reasonOf("http://10.0.0.1/", "10.0.0.0/33")).toBe("private");
  });

  it("reads the setting from the environment when none is given", () => {
    const before = process.env.HIKUBE_IMPORT_ALLOWED_HOSTS;
    try {
      process.env.HIKUBE_IMPORT_ALLOWED_HOSTS = "169.254.169.254";
      expect(checkImportUrl("http://169.254.169.254/").allowed).toBe(true);
      delete process.env.HIKUBE_IMPORT_ALLOWED_HOSTS;
      expect(checkImportUrl("http://169.254.169.254/").allowed).toBe(false);
    } finally {
      if (before === undefined) delete process.env.HIKUBE_IMPORT_ALLOWED_HOSTS;
      else process.env.HIKUBE_IMPORT_ALLOWED_HOSTS = before;
    }
  });
});

describe("address helpers", () => {
  it("finds the IPv4 address inside mapped and NAT64 forms only", () => {
    expect(embeddedIpv4("::ffff:7f00:1")).toBe("127.0.0.1");
    expect(embeddedIpv4("::ffff:169.254.169.254")).toBe("169.254.169.254");
    expect(embeddedIpv4("64:ff9b::a9fe:a9fe")).toBe("169.254.169.254");
    expect(embeddedIpv4("2001:db8::7f00:1")).toBeNull();
    expect(embeddedIpv4("127.0.0.1")).toBeNull();
  });
  it("classifies public addresses as null", () => {
    expect(classifyAddress("8.8.8.8")).toBeNull();
    expect(classifyAddress("2606:4700:4700::1111")).toBeNull();
  });
});

describe("assertImportUrlAllowed", () => {
  it("throws 422 on the field with a message naming the class and the host as parsed", () => {
    const before = process.env.HIKUBE_IMPORT_ALLOWED_HOSTS;
    delete process.env.HIKUBE_IMPORT_ALLOWED_HOSTS;
    try {
      let caught: unknown;
      try {
        assertImportUrlAllowed("http://0x7f.1:8080/x.img", "source.http.url");
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AppError);
      const err = caught as AppError;
      expect(err.status).toBe(422);
      expect(err.field).toBe("source.http.url");
      expect(err.message).toMatch(/^source\.http\.url must not point at a loopback address \(127\.0\.0\.1\): /);
      expect(err.details).toEqual({ reason: "loopback", host: "127.0.0.1" });
      expect(() => assertImportUrlAllowed("gopher://x/", "rootDisk.source.url")).toThrow("rootDisk.source.url must be an http:// or https:// URL");
      expect(assertImportUrlAllowed("https://Example.org/x.img", "source.http.url")).toBe("https://example.org/x.img");
    } finally {
      if (before !== undefined) process.env.HIKUBE_IMPORT_ALLOWED_HOSTS = before;
    }
  });
});
