#!/usr/bin/env bash
# Builds kube-apiserver v1.20.2 from Debian's source package (the only way to have a real Kubernetes
# API server on these machines, INFRA.md) and caches it outside the repository. Installs etcd-server and
# golang-go from Debian when missing. A second run finds the cached binary and returns at once.
# Debian's Go (1.19) is newer than this Kubernetes release was made for: its vendored reflect2 1.0.1
# crashes the server when it encodes maps (custom resources); reflect2 1.0.2 from Debian replaces it.
set -euo pipefail
CACHE="${STARFORM_KUBE_CACHE:-$HOME/.cache/starform/k8s}"
VERSION=1.20.2
BIN="$CACHE/v$VERSION-1/kube-apiserver"  # -1: built with reflect2 1.0.2
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo

missing=""
command -v etcd >/dev/null || missing="$missing etcd-server"
command -v go >/dev/null || missing="$missing golang-go"
command -v dpkg-source >/dev/null || missing="$missing dpkg-dev"
command -v rsync >/dev/null || missing="$missing rsync"
REFLECT2=/usr/share/gocode/src/github.com/modern-go/reflect2
[ -d "$REFLECT2" ] || missing="$missing golang-github-modern-go-reflect2-dev"
if [ -n "$missing" ]; then
  echo "installing Debian packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
[ -x "$BIN" ] && { echo "kube-apiserver v$VERSION cached at $BIN"; exit 0; }

work="$(mktemp -d "${TMPDIR:-/tmp}/kube-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
lists="$work/apt"; mkdir -p "$lists/lists/partial" "$lists/sources.list.d"
echo "deb-src http://deb.debian.org/debian bookworm main" > "$lists/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$lists/sources.list" -o "Dir::Etc::sourceparts=$lists/sources.list.d"
          -o "Dir::State::Lists=$lists/lists" -o "APT::Sandbox::User=root")
echo "==> fetching the kubernetes source package"
apt-get "${apt_opts[@]}" update -qq
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only kubernetes >/dev/null)
(cd "$work" && dpkg-source --no-check -x ./kubernetes_*.dsc src >/dev/null)
echo "==> building kube-apiserver (a few minutes)"
cd "$work/src"
rm -rf vendor/github.com/modern-go/reflect2 && cp -r "$REFLECT2" vendor/github.com/modern-go/reflect2
mkdir -p .go/src/k8s.io && ln -s ../../.. .go/src/k8s.io/kubernetes
GOPATH=$PWD/.go CGO_ENABLED=0 GOPROXY=off GOFLAGS=-mod=vendor make WHAT=cmd/kube-apiserver KUBE_GIT_VERSION=v$VERSION >"$work/build.log" 2>&1 \
  || { tail -40 "$work/build.log"; exit 1; }
mkdir -p "$(dirname "$BIN")"
install -m 0755 _output/bin/kube-apiserver "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
echo "kube-apiserver v$VERSION built: $BIN"
