#!/usr/bin/env bash
# Installs what building and testing Runtime Lens needs on Debian 12, and makes
# the kernel interfaces tracing uses available. Every step checks before it acts,
# so a second run on a ready machine takes about a second.
#   bash scripts/setup.sh            (npm run setup; npm test and npm start call it)
# Environment: LENS_SETUP_SKIP_APT=1 skips the apt check (machines that are not Debian).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# Build: clang/llvm/libbpf/bpftool/libelf/zlib/make/gcc/pkg-config compile the probe;
# libdw-dev (elfutils: DWARF unwinding and line tables) the agent's lens-symbolize;
# python3-dev (Debian's CPython headers) the struct offsets of attached Python processes;
# liblzma-dev and libbz2-dev the static lens-symbolize deployed to remote hosts;
# libseccomp-dev the seccomp launcher that runs a command under a generated profile;
# gcc-mingw-w64-x86-64 the Windows reader (bpf/windows), wine64 runs it in tests (about 85 s more on a fresh machine).
# Tests: strace (differential test), python3, gcc, g++ and golang-go (fixtures), util-linux (setpriv, mount),
# python3-debugpy (its DAP adapter, for the traced debug session test), netcat-openbsd (the reverse-shell rule's fixture).
# Benchmarks: linux-perf, bpftrace. End-to-end: chromium (Playwright), the libraries
# code-server's native modules build against, and openssh-server + openssh-client + iproute2 + sudo (remote tests).
APT_PACKAGES=(
  clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev make gcc libc6-dev pkg-config libdw-dev g++ golang-go python3-dev
  liblzma-dev libbz2-dev libseccomp-dev gcc-mingw-w64-x86-64 wine64
  strace linux-perf bpftrace python3 python3-debugpy util-linux procps netcat-openbsd
  chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev openssh-server openssh-client iproute2 sudo
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "'$*' needs root: run this script as root, or install sudo"
  fi
}

# --- Node -------------------------------------------------------------------
command -v node >/dev/null 2>&1 || die "node is not installed: install Node.js 20 or newer (https://nodejs.org or your package manager)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js $(node --version) is too old: version 20 or newer is needed"

# --- apt packages -------------------------------------------------------------
if [ "${LENS_SETUP_SKIP_APT:-0}" != 1 ]; then
  command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script installs Debian packages; on other systems install the equivalents of: ${APT_PACKAGES[*]} and rerun with LENS_SETUP_SKIP_APT=1"
  missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing apt packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    say "apt packages: all ${#APT_PACKAGES[@]} present"
  fi
fi

# --- kernel interfaces ---------------------------------------------------------
# tracefs: classic tracepoints read their ids from it. bpffs: pinning (optional).
mount_if_missing() { # type dir
  local type=$1 dir=$2
  if [ "$(stat -f -c %T "$dir" 2>/dev/null)" = "$type" ] || grep -q " $dir $type " /proc/mounts; then
    say "$type: mounted at $dir"
  elif [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1; then
    say "$type: mounting at $dir"
    as_root mount -t "$type" "$type" "$dir" || die "could not mount $type at $dir (mount -t $type $type $dir)"
  else
    say "warning: $type is not mounted at $dir and this user cannot mount it; as root run: mount -t $type $type $dir"
  fi
}
mount_if_missing tracefs /sys/kernel/tracing
mount_if_missing bpf /sys/fs/bpf

# --- npm dependencies ------------------------------------------------------------
# node_modules/.lens-lock.sha256 records the package-lock.json it was installed from.
stamp=node_modules/.lens-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  say "npm dependencies: up to date"
elif [ -d node_modules ] && npm ls --depth=0 >/dev/null 2>&1; then
  # Installed by hand (npm install) and consistent with the lock: no need to reinstall.
  echo "$want" >"$stamp"
  say "npm dependencies: present and consistent with package-lock.json"
else
  say "npm dependencies: running npm ci"
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
fi

say "done"
