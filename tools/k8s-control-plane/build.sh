#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager at the release pinned in go.mod, from the Go module proxy, into a
# cache outside the clone (~/.cache/aspis/k8s-<version>/, or $ASPIS_CACHE/k8s-<version>/), and prints that directory.
# Test-only: Aspis itself is TypeScript. A cold build takes ~6-10 min on 2 cores; later runs reuse the binaries.
# Holds a file lock, so concurrent callers (two test processes, .ci/run) build once and the others wait.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(awk '$1=="require" && $2=="k8s.io/kubernetes" {print $3}' "$here/go.mod")"
[[ -n "$version" ]] || { echo "build.sh: no 'require k8s.io/kubernetes vX.Y.Z' line in $here/go.mod" >&2; exit 2; }
cache="${ASPIS_CACHE:-$HOME/.cache/aspis}"
out="$cache/k8s-$version"
binaries=(kube-apiserver kube-controller-manager)

missing_binaries() {
  missing=()
  for b in "${binaries[@]}"; do [[ -x "$out/$b" ]] || missing+=("$b"); done
}

missing_binaries
if [[ ${#missing[@]} -eq 0 ]]; then echo "$out"; exit 0; fi

mkdir -p "$out"
exec 9>"$cache/k8s-build.lock"
if ! flock -n 9; then
  echo "build.sh: another build of Kubernetes $version is running; waiting for it" >&2
  flock 9
fi
missing_binaries   # the build we waited for may have produced them
if [[ ${#missing[@]} -eq 0 ]]; then echo "$out"; exit 0; fi

if ! command -v go >/dev/null 2>&1; then
  echo "build.sh: Go is required to build the test control plane (Go >= 1.21; it fetches the toolchain go.mod asks for)." >&2
  exit 2
fi

major="${version#v}"; major="${major%%.*}"
minor="${version#v*.}"; minor="${minor%%.*}"
# Without these the binaries report v0.0.0-master and clients refuse the server.
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

cd "$here"
# readonly by default: the build uses exactly the module versions go.mod and go.sum pin; CGO off gives static binaries.
export GOFLAGS="${GOFLAGS:--mod=readonly}" CGO_ENABLED=0
for b in "${missing[@]}"; do
  echo "build.sh: building $b $version into $out (cached for later runs)" >&2
  start=$SECONDS
  go build -trimpath -ldflags "$ldflags" -o "$out/$b.partial" "k8s.io/kubernetes/cmd/$b"
  reported="$("$out/$b.partial" --version)"
  [[ "$reported" == "Kubernetes $version" ]] || { echo "build.sh: $b reports '$reported', expected 'Kubernetes $version'" >&2; exit 1; }
  mv "$out/$b.partial" "$out/$b"
  echo "build.sh: $b built in $((SECONDS - start)) s" >&2
done
echo "$out"
