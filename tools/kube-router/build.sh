#!/usr/bin/env bash
# Builds kube-router at the release pinned in go.mod, from the Go module proxy, into a cache outside the clone
# (~/.cache/aspis/kube-router-<version>/, or $ASPIS_CACHE/kube-router-<version>/), and prints that directory.
# Test-only: its NetworkPolicy firewall is the independent dataplane test/network/real-dataplane.test.ts compares
# Aspis's verdicts with (test/harness/dataplane-rig.ts runs it). A cold build takes ~3-5 min on 2 cores.
# Holds a file lock, so concurrent callers (two test processes, .ci/run) build once and the others wait.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(awk '$1=="require" && $2=="github.com/cloudnativelabs/kube-router/v2" {print $3}' "$here/go.mod")"
[[ -n "$version" ]] || { echo "build.sh: no 'require github.com/cloudnativelabs/kube-router/v2 vX.Y.Z' line in $here/go.mod" >&2; exit 2; }
cache="${ASPIS_CACHE:-$HOME/.cache/aspis}"
out="$cache/kube-router-$version"
binary="$out/kube-router"

if [[ -x "$binary" ]]; then echo "$out"; exit 0; fi
mkdir -p "$out"
exec 9>"$cache/kube-router-build.lock"
if ! flock -n 9; then
  echo "build.sh: another build of kube-router $version is running; waiting for it" >&2
  flock 9
fi
if [[ -x "$binary" ]]; then echo "$out"; exit 0; fi   # the build we waited for produced it

if ! command -v go >/dev/null 2>&1; then
  echo "build.sh: Go is required to build kube-router for the dataplane tests (Go >= 1.21)." >&2
  exit 2
fi

cd "$here"
# readonly by default: the build uses exactly the module versions go.mod and go.sum pin. kube-router calls iptables,
# ipset and netlink through exec and syscalls only, so CGO off gives a static binary.
export GOFLAGS="${GOFLAGS:--mod=readonly}" CGO_ENABLED=0
echo "build.sh: building kube-router $version into $out (cached for later runs)" >&2
start=$SECONDS
pkg=github.com/cloudnativelabs/kube-router/v2
go build -trimpath -ldflags "-s -w -X $pkg/pkg/version.Version=$version" -o "$binary.partial" "$pkg/cmd/kube-router"
reported="$("$binary.partial" --version 2>&1 | head -1)"
[[ "$reported" == *"$version"* ]] || { echo "build.sh: kube-router reports '$reported', expected $version" >&2; exit 1; }
mv "$binary.partial" "$binary"
echo "build.sh: kube-router built in $((SECONDS - start)) s" >&2
echo "$out"
