#!/usr/bin/env bash
# Builds runtime-lens-<version>.vsix: the bundled extension, webview and agent, the Linux x64
# probe and symbolizer, the icon, README, LICENSE and package.json — nothing else (package.json "files" is the
# allowlist vsce applies; this script checks the result against it).
#
# Usage: scripts/package.sh [--no-build] [--out FILE] [--target linux-x64|win32-x64]
#   --no-build   package what is already built (default: production build of the bundles and the probe)
#   --out FILE   where to write the .vsix (default: ./runtime-lens-<version>.vsix; win32: ./runtime-lens-win32-x64-<version>.vsix)
#   --target     linux-x64 (default) or win32-x64: the Windows programs (process.o, net.o) and lens-probe.exe in
#                extension/dist/win32/ instead of the Linux probe, symbolizer and CPython layouts
# Prints the .vsix path on stdout; progress goes to stderr.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

say() { printf 'package: %s\n' "$*" >&2; }
die() { printf 'package: error: %s\n' "$*" >&2; exit 1; }

build=1
out=
target=linux-x64
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a file name"; out=$2; shift 2 ;;
    --target) [[ $# -ge 2 ]] || die "--target needs linux-x64 or win32-x64"; target=$2; shift 2 ;;
    *) die "unknown argument '$1' (expected --no-build, --out FILE or --target linux-x64|win32-x64)" ;;
  esac
done

version=$(node -p 'require("./package.json").version')
name=$(node -p 'require("./package.json").name')
case "$target" in
  linux-x64) out=${out:-$root/$name-$version.vsix} ;;
  win32-x64) out=${out:-$root/$name-win32-x64-$version.vsix}
    exec bash "$root/scripts/package-win32.sh" "$build" "$out" ;;
  *) die "unknown --target '$target' (expected linux-x64 or win32-x64)" ;;
esac
[[ "$out" = /* ]] || out=$PWD/$out

if [[ $build -eq 1 ]]; then
  say "building the bundles (production)"
  node scripts/build.mjs --production >&2
  say "building the probe (make -C bpf/linux)"
  make -s -C bpf/linux >&2 || die "the probe did not build; run 'make -C bpf/linux' to see why"
  say "building the symbolizer (make -C remote-agent/native)"
  make -s -C remote-agent/native >&2 || die "lens-symbolize did not build; run 'make -C remote-agent/native' to see why (it needs libdw-dev)"
  say "building the static programs for remote hosts"
  { make -s -C bpf/linux static && make -s -C remote-agent/native static && make -s -C remote-agent/host-helper; } >&2 \
    || die "the static programs for remote hosts did not build; run 'bash scripts/build.sh' to see why"
fi

# The extension loads the agent, the probe, the symbolizer and the CPython layouts from its own dist/ folder.
agent=remote-agent/dist/runtime-lens.js
probe=bpf/linux/.output/lens-probe
symbolizer=remote-agent/native/.output/lens-symbolize
pylayouts=remote-agent/native/.output/python-offsets.json
for f in extension/dist/extension.js webview/dist/webview.js "$agent" "$probe" "$symbolizer" "$pylayouts"; do
  [[ -f "$f" ]] || die "$f is missing; build it first (npm run build), or drop --no-build"
done
rm -rf extension/dist/win32  # a win32-x64 package's pieces
install -m 0755 "$agent" extension/dist/runtime-lens.js
install -m 0755 "$probe" extension/dist/lens-probe
install -m 0755 "$symbolizer" extension/dist/lens-symbolize
install -m 0644 "$pylayouts" extension/dist/python-offsets.json
say "copied $agent, $probe, $symbolizer and $pylayouts into extension/dist/"
# What the agent copies to a remote host (statically linked): extension/dist/remote/.
mkdir -p extension/dist/remote
for f in bpf/linux/.output/static/lens-probe remote-agent/native/.output/static/lens-symbolize remote-agent/host-helper/.output/static/lens-remote; do
  [[ -f "$f" ]] || die "$f is missing; build it first (bash scripts/build.sh), or drop --no-build"
  install -m 0755 "$f" extension/dist/remote/
done
say "copied the static lens-probe, lens-symbolize and lens-remote into extension/dist/remote/"

# The marketplace page and the license ship with the extension; the icon must be a PNG.
icon=$(node -p 'require("./package.json").icon || ""')
[[ -n "$icon" ]] || die "package.json has no \"icon\"; set it to a PNG under extension/media/"
[[ "$icon" == *.png && -f "$icon" ]] || die "package.json \"icon\" is '$icon'; expected an existing .png file"
file -b "$icon" | grep -q '^PNG image' || die "$icon is not a PNG image (vsce requires PNG icons)"
for f in README.md LICENSE; do
  [[ -f "$f" ]] || die "$f is missing at the repository root; the .vsix must include it"
done

vsce_args=(package --no-dependencies --allow-missing-repository --allow-unused-files-pattern --target linux-x64 --out "$out")
say "running vsce ${vsce_args[*]}"
rm -f "$out"
npx --no-install vsce "${vsce_args[@]}" </dev/null >&2

# Check the contents: every file must be on the allowlist, and the runtime pieces must be there.
listing=$(unzip -Z1 "$out")
allowed='^(\[Content_Types\]\.xml|extension\.vsixmanifest|extension/(package\.json|readme\.md|README\.md|LICENSE(\.txt)?|changelog\.md|CHANGELOG\.md|extension/dist/(extension\.js|runtime-lens\.js|lens-probe|lens-symbolize|python-offsets\.json|remote/(lens-probe|lens-symbolize|lens-remote))|webview/dist/[^/]+\.(js|css)|(extension/)?(media|images|resources)/[^/]+\.(png|svg)))$'
unexpected=$(grep -Ev "$allowed" <<<"$listing" || true)
[[ -z "$unexpected" ]] || die "the .vsix holds files outside the allowlist (fix package.json \"files\"):
$unexpected"
for f in extension/package.json extension/readme.md extension/LICENSE.txt "extension/$icon" extension/extension/dist/extension.js extension/extension/dist/runtime-lens.js \
         extension/extension/dist/lens-probe extension/extension/dist/lens-symbolize extension/extension/dist/python-offsets.json \
         extension/webview/dist/webview.js extension/extension/dist/remote/lens-probe extension/extension/dist/remote/lens-symbolize \
         extension/extension/dist/remote/lens-remote; do
  grep -qxF "$f" <<<"$listing" || die "the .vsix lacks $f (fix package.json \"files\")"
done
for exe in lens-probe lens-symbolize remote/lens-probe remote/lens-symbolize remote/lens-remote; do
  unzip -Z "$out" "extension/extension/dist/$exe" | grep -q '^-rwx' \
    || die "$exe lost its executable bit in the .vsix"
done

say "$(grep -c . <<<"$listing") files, $(du -h "$out" | cut -f1): $out"
unzip -l "$out" >&2
echo "$out"
