#!/usr/bin/env bash
# Builds (or reuses) the Helm client used by the chart checks (tests/chart/chart.test.ts; dev and
# tests only). Helm is not a Debian package: it is built from the pinned build module in
# dev-cluster/build-helm (go.mod + go.sum, helm.sh/helm/v3 from the Go module proxy), exactly as
# ensure-binaries.sh builds kube-apiserver. The binary is cached outside git under
# $HIKUBE_CACHE/bin/<hash of the pin>/helm and rebuilt only when the pin changes.
#
# Needs Go >= 1.26 (helm v3.22's go.mod); GOTOOLCHAIN=local: no toolchain download.
# Prints the path of the helm binary on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${HIKUBE_CACHE:-$HOME/.cache/hikube-portal}"
mod="$here/build-helm"
pin="$(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -c1-16)"
bin="$cache/bin/$pin"
export PATH="$PATH:/usr/local/go/bin"

if [ ! -x "$bin/helm" ]; then
  mkdir -p "$bin"
  version="$(awk '$1=="helm.sh/helm/v3"{print $2}' "$mod/go.mod")"
  # As helm's Makefile: the Kubernetes version helm lint and template assume comes from client-go's.
  k8s="$(awk '$1=="k8s.io/client-go"{print $2}' "$mod/go.mod" | sed 's/^v//')"
  k8s_major=$(( ${k8s%%.*} + 1 ))
  k8s_minor="$(echo "$k8s" | cut -d. -f2)"
  echo "[binaries] building helm $version (cold: a few minutes on 2 cores; cached afterwards in $bin)" >&2
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in pkg/lint/rules pkg/chartutil; do
    ldflags="$ldflags -X helm.sh/helm/v3/$pkg.k8sVersionMajor=$k8s_major -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$k8s_minor"
  done
  (cd "$mod" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" \
    -o "$bin/helm.tmp" helm.sh/helm/v3/cmd/helm)
  mv "$bin/helm.tmp" "$bin/helm"
  echo "[binaries] helm built" >&2
fi
echo "$bin/helm"
