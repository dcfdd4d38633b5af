#!/usr/bin/env bash
# Installs what a fresh machine of this kind lacks, idempotently and with caching:
#   - Debian packages: chromium (end-to-end tests), openssl (cluster certificates), build tools
#     for better-sqlite3's native addon, QEMU, busybox-static and cpio (the stand-in's guests),
#     websockify (the console benchmark's baseline), postgresql (the integration suite's
#     PostgreSQL pass), buildah, podman, runc, mmdebstrap and haproxy (the image and its replicas);
#   - npm dependencies (npm install from package-lock.json, skipped when it did not change; not
#     `npm ci`, which refuses a lock without the other platforms' optional binaries, and the
#     registry reached here does not resolve those);
#   - the local cluster's binaries (kube-apiserver built from the pinned Go module, cached under
#     ~/.cache/hikube-portal by the pin's hash; etcd from Debian's etcd-server);
#   - helm for the chart checks, built the same way from its own pin (dev-cluster/build-helm).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] || need+=(golang-go)
# The KubeVirt stand-in's guests (dev-cluster/standin/guest/build-guest.sh).
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v cpio >/dev/null 2>&1 || need+=(cpio)
# The local cluster's Prometheus (dev-cluster/prometheus.ts: the portal's VM metrics in dev and tests).
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
# The console benchmark's baseline (bench/console.ts; small, Python).
command -v websockify >/dev/null 2>&1 || need+=(websockify)
# The image and its replicas (scripts/image.ts, scripts/replicas.ts: buildah builds, podman with
# runc runs, mmdebstrap makes the base images, HAProxy balances the two replicas).
for tool in buildah podman runc mmdebstrap haproxy; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || need+=("$tool")
done
# PostgreSQL for the second integration pass (scripts/postgres.ts starts throwaway servers; the
# package's own "main" cluster is not wanted).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/hikube.conf
fi
if [ ${#need[@]} -gt 0 ]; then
  say "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# apt-get download (etcd-server) needs package lists.
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then apt-get update -qq; fi
export PATH="$PATH:/usr/local/go/bin"

# node-gyp must not download Node headers (no network): use the system's.
if [ -d /usr/include/node ]; then export npm_config_nodedir=/usr; fi
lock_hash="$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f node_modules/.setup-lock-hash ] || [ "$(cat node_modules/.setup-lock-hash)" != "$lock_hash" ]; then
  say "installing npm dependencies"
  npm install --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.setup-lock-hash
else
  say "npm dependencies up to date"
fi

say "Prisma client (lib/generated/prisma, for the default SQLite database)"
# Regenerated when the schema changed since the last generation (hash kept beside the client).
schema_hash="$(sha256sum prisma/schema.prisma | cut -c1-16)"
if [ "$(cat lib/generated/prisma/.schema-hash 2>/dev/null)" != "$schema_hash" ]; then
  npm run -s db:generate >/dev/null
  echo "$schema_hash" > lib/generated/prisma/.schema-hash
fi

say "cluster binaries"
bash dev-cluster/scripts/ensure-binaries.sh >/dev/null
say "helm (the chart checks of npm test; built once from dev-cluster/build-helm)"
bash dev-cluster/scripts/ensure-helm.sh >/dev/null
say "guest image of the KubeVirt stand-in (kernel + busybox initramfs)"
bash dev-cluster/standin/guest/build-guest.sh >/dev/null
say "done"
