// Builds kube-router, the independent NetworkPolicy dataplane Aspis's differential tests compare against (never
// shipped): see build.sh. Do not run `go mod tidy`: no package here imports kube-router, so tidy would drop it;
// go.sum holds exactly what `go build github.com/cloudnativelabs/kube-router/v2/cmd/kube-router` needs (build.sh uses
// -mod=readonly). To move to another release, change the version below, then run build.sh once with GOFLAGS=-mod=mod.
module aspis.dev/tools/kube-router

go 1.21

require github.com/cloudnativelabs/kube-router/v2 v2.1.0
