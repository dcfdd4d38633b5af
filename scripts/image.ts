/**
 * Builds the portal's image on this kind of machine (no registry, no Docker engine): buildah with
 * vfs storage and chroot isolation, from the project's Containerfile, with both base images made
 * locally (scripts/image.ts is the only place that knows that; the Containerfile's defaults are
 * public images).
 *
 *   npx tsx scripts/image.ts            # prints the image name, its size and the build time
 *
 * - Base images, made once per Node version and kept: `localhost/hikube-build-base:<node>`
 *   (mmdebstrap's `essential` Debian 12 and libstdc++6, plus this machine's Node and npm under /usr/local) and
 *   `localhost/hikube-runtime-base:bookworm` (mmdebstrap's `extract` of libc6, libgcc-s1 and
 *   libstdc++6 only, plus the `nonroot` user 65532 and a /tmp: the same contents as distroless's
 *   cc image).
 * - The image `localhost/hikube-portal:<hash>`, where hash covers every file the build reads
 *   (git's tracked and untracked files minus .containerignore's, and the base images): an
 *   unchanged tree is not rebuilt. Older portal images are removed after a build, so the vfs
 *   storage (a full copy per layer) stays bounded.
 * - npm's cache of this machine is mounted into the build (`-v ~/.npm:/root/.npm`): the install
 *   step downloads nothing it already has; so is the CA bundle of NODE_EXTRA_CA_CERTS when set
 *   (this machine's egress intercepts TLS with its own CA).
 *
 * Storage: $HIKUBE_CACHE/containers, default ~/.cache/hikube-portal/containers (kept between runs,
 * like the Go builds);
 * containers.conf there holds `default_ulimits = []` (podman's default ulimits are refused here).
 * {@link containerCommand} gives podman and buildah the same storage flags.
 */
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
// the project's cache, as for the Go builds and the guest image (dev-cluster/scripts/ensure-binaries.sh)
const cacheDir = path.join(process.env.HIKUBE_CACHE ?? path.join(os.homedir(), ".cache", "hikube-portal"), "containers");
const nodeVersion = process.version.slice(1);
/** The local base images (build arguments of the Containerfile). */
export const baseImages = {
  build: `localhost/hikube-build-base:${nodeVersion}`,
  runtime: "localhost/hikube-runtime-base:bookworm",
};
const debianMirror = "http://deb.debian.org/debian";

/** Env for podman and buildah: the containers.conf that drops the default ulimits. */
export function containerEnv(): NodeJS.ProcessEnv {
  fs.mkdirSync(cacheDir, { recursive: true });
  const conf = path.join(cacheDir, "containers.conf");
  if (!fs.existsSync(conf)) fs.writeFileSync(conf, "[containers]\ndefault_ulimits = []\n");
  return { ...process.env, CONTAINERS_CONF: conf };
}

/**
 * `[binary, ...args]` for podman or buildah with this project's storage (vfs under the cache) and,
 * for podman, the runtime that works here (runc, cgroupfs).
 */
export function containerCommand(tool: "podman" | "buildah", args: string[]): [string, string[]] {
  const storage = ["--root", path.join(cacheDir, "storage"), "--runroot", path.join(os.tmpdir(), "hikube-containers-run"), "--storage-driver", "vfs"];
  const extra = tool === "podman" ? ["--runtime", "runc", "--cgroup-manager", "cgroupfs"] : [];
  return [tool, [...storage, ...extra, ...args]];
}

/** Runs podman or buildah; resolves with stdout, rejects with the output's tail on failure. */
export function container(tool: "podman" | "buildah", args: string[], opts: { echo?: boolean } = {}): Promise<string> {
  const [bin, full] = containerCommand(tool, args);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, full, { env: containerEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let all = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c;
      all += c;
      if (opts.echo) process.stdout.write(c);
    });
    child.stderr.on("data", (c: Buffer) => {
      all += c;
      if (opts.echo) process.stderr.write(c);
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${tool} ${args.slice(0, 2).join(" ")} exited with ${code}:\n${all.slice(-3000)}`))));
  });
}

async function imageExists(name: string): Promise<boolean> {
  return container("buildah", ["inspect", "--type", "image", name]).then(() => true, () => false);
}

/** Makes a base image from an mmdebstrap root filesystem (tar) and removes the tar. */
async function importRootfs(tar: string, name: string, config: string[]): Promise<void> {
  const id = (await container("buildah", ["from", "scratch"])).trim();
  try {
    await container("buildah", ["add", id, tar, "/"]);
    await container("buildah", ["config", ...config, id]);
    await container("buildah", ["commit", "--rm", id, name]);
  } catch (err) {
    await container("buildah", ["rm", id]).catch(() => {});
    throw err;
  } finally {
    fs.rmSync(tar, { force: true });
  }
}

function mmdebstrap(args: string[], tar: string): void {
  execFileSync("mmdebstrap", ["--quiet", "--mode=root", ...args, "bookworm", tar, debianMirror], { stdio: "inherit" });
}

/** Makes the two base images when missing (~20 s). */
export async function ensureBaseImages(log: (line: string) => void = console.log): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hikube-base-"));
  try {
    if (!(await imageExists(baseImages.build))) {
      log(`image: making ${baseImages.build} (Debian 12 essential + Node ${nodeVersion} and npm of this machine)`);
      const npmDir = path.join(path.dirname(fs.realpathSync(process.execPath)), "..", "lib", "node_modules", "npm");
      const hook = [
        `mkdir -p "$1/usr/local/bin" "$1/usr/local/lib/node_modules"`,
        `cp ${JSON.stringify(fs.realpathSync(process.execPath))} "$1/usr/local/bin/node"`,
        `cp -a ${JSON.stringify(fs.realpathSync(npmDir))} "$1/usr/local/lib/node_modules/npm"`,
        `ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"`,
        `ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"`,
      ].join(" && ");
      const tar = path.join(tmp, "build.tar");
      mmdebstrap(["--variant=essential", "--include=libstdc++6", `--customize-hook=${hook}`], tar);
      await importRootfs(tar, baseImages.build, ["--env", "PATH=/usr/local/bin:/usr/bin:/bin", "--cmd", "/bin/bash"]);
    }
    if (!(await imageExists(baseImages.runtime))) {
      log(`image: making ${baseImages.runtime} (glibc, libgcc, libstdc++; user nonroot 65532)`);
      const hook = [
        `printf 'root:x:0:0:root:/root:/sbin/nologin\\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\\n' > "$1/etc/passwd"`,
        `printf 'root:x:0:\\nnonroot:x:65532:\\n' > "$1/etc/group"`,
        `mkdir -p "$1/tmp" "$1/home/nonroot" && chmod 1777 "$1/tmp" && chown 65532:65532 "$1/home/nonroot"`,
        `rm -rf "$1/usr/share/doc" "$1/usr/share/gcc" "$1/usr/share/gdb" "$1/usr/share/lintian" "$1/usr/share/locale" "$1/var/lib/apt" "$1/var/cache/apt" "$1/etc/apt"`,
      ].join(" && ");
      const tar = path.join(tmp, "runtime.tar");
      mmdebstrap(["--variant=extract", "--include=libc6,libgcc-s1,libstdc++6", `--customize-hook=${hook}`], tar);
      await importRootfs(tar, baseImages.runtime, ["--env", "PATH=/usr/local/bin:/usr/bin:/bin", "--user", "65532:65532"]);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The test of .containerignore's patterns on a path relative to the project (the subset this file
 * uses: a path or name, `*` within one segment, a leading `**\/` for any folder; a folder's pattern
 * covers everything under it), for {@link buildInputsHash}.
 */
export function ignoredBy(text: string): (rel: string) => boolean {
  const patterns = text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const regexes = patterns.map((p) => {
    const body = p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/^\*\*\//, "\u0000").replace(/\*/g, "[^/]*").replace("\u0000", "(?:.*/)?");
    return new RegExp(`^${body}(/|$)`);
  });
  return (rel) => regexes.some((r) => r.test(rel));
}

/** sha256 (16 hex) over the build's inputs: the files git knows or would add, minus .containerignore's, and the base images' names. */
export function buildInputsHash(): string {
  const ignored = ignoredBy(fs.readFileSync(path.join(root, ".containerignore"), "utf8"));
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: root, encoding: "utf8" })
    .split("\0").filter((f) => f && !ignored(f) && fs.existsSync(path.join(root, f))).sort();
  const hash = crypto.createHash("sha256").update(JSON.stringify(baseImages));
  for (const f of files) hash.update(f).update("\0").update(fs.readFileSync(path.join(root, f))).update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** A built image. */
export interface BuiltImage {
  /** `localhost/hikube-portal:<inputs hash>` */
  name: string;
  /** uncompressed size of the image, bytes (podman's `Size`) */
  sizeBytes: number;
  /** seconds this call spent (0-ish when the image for these inputs existed) */
  seconds: number;
  /** true when the image for these inputs already existed */
  cached: boolean;
}

/**
 * Builds the image unless one for the same inputs exists.
 * @throws Error with buildah's output tail when a step fails
 */
export async function buildImage(log: (line: string) => void = console.log): Promise<BuiltImage> {
  const started = Date.now();
  await ensureBaseImages(log);
  const name = `localhost/hikube-portal:${buildInputsHash()}`;
  const cached = await imageExists(name);
  if (!cached) {
    log(`image: building ${name} (Containerfile; Next build inside, ~3 min)`);
    const npmCache = path.join(os.homedir(), ".npm");
    fs.mkdirSync(npmCache, { recursive: true });
    // This machine's egress may intercept TLS with its own CA (NODE_EXTRA_CA_CERTS): the build's npm needs it too.
    const ca = process.env.NODE_EXTRA_CA_CERTS && fs.existsSync(process.env.NODE_EXTRA_CA_CERTS) ? path.resolve(process.env.NODE_EXTRA_CA_CERTS) : null;
    const caArgs = ca ? ["--build-arg", `NODE_EXTRA_CA_CERTS=${ca}`, "-v", `${ca}:${ca}:ro`] : [];
    await container("buildah", ["bud", "--isolation", "chroot", "--pull=false", "-f", path.join(root, "Containerfile"),
      "--build-arg", `BUILD_IMAGE=${baseImages.build}`, "--build-arg", `RUNTIME_IMAGE=${baseImages.runtime}`, ...caArgs,
      "-v", `${npmCache}:/root/.npm`, "-t", name, root], { echo: process.env.HIKUBE_IMAGE_VERBOSE === "1" });
    // Only the newest portal image is kept (vfs copies every layer in full).
    const others = (await container("buildah", ["images", "--format", "{{.Name}}:{{.Tag}}", "--filter", "reference=localhost/hikube-portal"]))
      .split("\n").map((l) => l.trim()).filter((l) => l && l !== name);
    for (const other of others) await container("buildah", ["rmi", other]).catch(() => {});
    await container("buildah", ["rmi", "--prune"]).catch(() => {});
  }
  const sizeBytes = Number((await container("podman", ["image", "inspect", "--format", "{{.Size}}", name])).trim());
  const seconds = (Date.now() - started) / 1000;
  log(`image: ${name} ${(sizeBytes / 2 ** 20).toFixed(1)} MiB, ${cached ? "already built" : `built in ${seconds.toFixed(0)} s`}`);
  return { name, sizeBytes, seconds, cached };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  buildImage().catch((err) => {
    console.error(String(err instanceof Error ? err.message : err));
    process.exit(1);
  });
}
