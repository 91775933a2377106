#!/usr/bin/env bash
# Builds the stand-in Lambda base image defined by ./Dockerfile (read it for what goes in)
# and prints its tag. Reuses the image when one built from this same definition exists.
# Needs a Docker engine, and apt-get (Debian's arm64 packages are downloaded with a private
# apt state under .tools/cache/lambda-base/: the host's architectures and lists are left alone).
# On a non-arm64 host, arm64 emulation must already be registered (scripts/docker.sh does it).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
REPO="create-api-token/lambda-provided-standin"
PACKAGES=(libc6 libgcc-s1 busybox-static)
CACHE="$ROOT/.tools/cache/lambda-base"

log() { printf 'lambda-base: %s\n' "$*" >&2; }
die() { printf 'lambda-base: error: %s\n' "$*" >&2; exit 1; }

definition="$(cat "$HERE/Dockerfile" "$HERE/build.sh" | sha256sum | cut -c1-12)"
TAG="$REPO:al2023-arm64"
if [[ "$(docker image inspect --format '{{index .Config.Labels "definition"}}' "$TAG" 2>/dev/null)" == "$definition" ]]; then
    log "$TAG is up to date (definition $definition)"
    echo "$TAG"; exit 0
fi

t0=$(date +%s)
# --- Debian's arm64 packages, with apt state of our own ---------------------------------
APT_OPTS=(
    -o "Dir::State::Lists=$CACHE/apt/lists"
    -o "Dir::State::status=$CACHE/apt/status"
    -o "Dir::Cache=$CACHE/apt/cache"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "APT::Architecture=arm64" -o "APT::Architectures::=arm64"
    -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
    -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root"
)
mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/cache/archives/partial" "$CACHE/debs"
: >"$CACHE/apt/status"
log "apt-get update (arm64 package lists, private to $CACHE)"
apt-get "${APT_OPTS[@]}" update -q 2>&1 | sed -u 's/^/  apt: /' >&2
log "apt-get download ${PACKAGES[*]} (arm64)"
rm -f "$CACHE/debs"/*.deb
( cd "$CACHE/debs" && apt-get "${APT_OPTS[@]}" download "${PACKAGES[@]/%/:arm64}" 2>&1 | sed -u 's/^/  apt: /' >&2 )
ls "$CACHE/debs"/*.deb >/dev/null 2>&1 || die "no packages downloaded"

# --- the image's file system -----------------------------------------------------------
CONTEXT="$(mktemp -d)"
trap 'rm -rf "$CONTEXT"' EXIT
ROOTFS="$CONTEXT/rootfs"
mkdir -p "$ROOTFS"
for deb in "$CACHE/debs"/*.deb; do
    log "unpacking $(basename "$deb")"
    dpkg-deb -x "$deb" "$ROOTFS"
done
# Merged /usr (newer Debian ships under /usr only): the ELF interpreter is /lib/ld-linux-aarch64.so.1.
for d in bin sbin lib; do
    if [[ ! -e "$ROOTFS/$d" && -d "$ROOTFS/usr/$d" ]]; then ln -s "usr/$d" "$ROOTFS/$d"; fi
done
[[ -e "$ROOTFS/lib/ld-linux-aarch64.so.1" ]] || die "libc6 gave no /lib/ld-linux-aarch64.so.1"
[[ -x "$ROOTFS/bin/busybox" ]] || die "busybox-static gave no /bin/busybox"
# Busybox's applets as commands (sh, mv, chmod, ...), listed by running busybox itself.
applets="$("$ROOTFS/bin/busybox" --list)" || die "cannot run the arm64 busybox (is arm64 emulation registered?)"
for a in $applets; do
    [[ -e "$ROOTFS/bin/$a" ]] || ln -s busybox "$ROOTFS/bin/$a"
done
bundle=/etc/ssl/certs/ca-certificates.crt
[[ -s "$bundle" ]] || die "$bundle not found (Debian package ca-certificates)"
mkdir -p "$ROOTFS/etc/ssl/certs" "$ROOTFS/etc/pki/tls/certs"
cp "$bundle" "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
ln -s ../../../ssl/certs/ca-certificates.crt "$ROOTFS/etc/pki/tls/certs/ca-bundle.crt"
mkdir -p "$ROOTFS/tmp" "$ROOTFS/var/task" "$ROOTFS/var/runtime" "$ROOTFS/opt"
chmod 1777 "$ROOTFS/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\n' >"$ROOTFS/etc/group"
cp "$HERE/Dockerfile" "$CONTEXT/Dockerfile"

log "docker build $TAG ($(du -sh "$ROOTFS" | cut -f1))"
docker build --platform linux/arm64 --label "definition=$definition" -t "$TAG" "$CONTEXT" 2>&1 | sed -u 's/^/  build: /' >&2
# SAM's image on top of an older stand-in (tag rapid-arm64) would be stale: drop it.
docker image rm "$REPO:rapid-arm64" >/dev/null 2>&1 || true
log "built $TAG in $(( $(date +%s) - t0 )) s"
echo "$TAG"
