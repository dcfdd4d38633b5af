#!/usr/bin/env bash
# Builds (or reuses) the local cluster's binaries, dev and tests only.
#
# - kube-apiserver: built from the pinned build module in dev-cluster/build (go.mod + go.sum).
#   The binary is cached outside git under $HIKUBE_CACHE/bin/<hash of the pin>/ and rebuilt only
#   when the pin changes. Go's module and build caches are kept too, so a rebuild is warm.
# - etcd: Debian's etcd-server, unpacked with dpkg -x (installing it with apt would start a daemon
#   on 127.0.0.1:2379; see ../shared/spec/dev-cluster.md).
#
# Prints the directory holding kube-apiserver and etcd on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${HIKUBE_CACHE:-$HOME/.cache/hikube-portal}"
pin="$(cat "$here/build/go.mod" "$here/build/go.sum" | sha256sum | cut -c1-16)"
bin="$cache/bin/$pin"
mkdir -p "$bin"

if [ ! -x "$bin/kube-apiserver" ]; then
  version="$(awk '$1=="k8s.io/kubernetes"{print $2}' "$here/build/go.mod")"
  minor="$(echo "$version" | cut -d. -f2)"
  echo "[binaries] building kube-apiserver $version (cold: 10-20 min on 2 cores; cached afterwards in $bin)" >&2
  (cd "$here/build" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
    -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
    -o "$bin/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver)
  mv "$bin/kube-apiserver.tmp" "$bin/kube-apiserver"
  echo "[binaries] kube-apiserver built" >&2
fi

if [ ! -x "$bin/etcd" ]; then
  if command -v etcd >/dev/null 2>&1; then
    ln -sf "$(command -v etcd)" "$bin/etcd"
  else
    echo "[binaries] unpacking Debian's etcd-server" >&2
    tmp="$(mktemp -d)"
    (cd "$tmp" && apt-get download etcd-server >/dev/null && dpkg -x etcd-server_*.deb root)
    cp "$tmp/root/usr/bin/etcd" "$bin/etcd"
    rm -rf "$tmp"
  fi
fi
echo "$bin"
