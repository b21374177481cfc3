#!/usr/bin/env bash
# Makes sure the operating system has what WeasyPrint (the PDF documents) needs beyond pip:
# Pango, HarfBuzz's subsetter and fonts that carry every Vietnamese letter. Idempotent: it only
# looks (ldconfig -p, fc-list) unless something is missing; then, on Debian/Ubuntu, it installs
# the missing packages with apt-get (through sudo when not root). Elsewhere it says what to install.
set -euo pipefail

# package → what proves it is there
required=()
optional=()
ldconfig_bin="$(command -v ldconfig || echo /sbin/ldconfig)"
libraries="$("$ldconfig_bin" -p 2>/dev/null || true)"

has_library() { grep -q "$1" <<<"$libraries"; }
has_font() {
  if command -v fc-list >/dev/null 2>&1; then
    fc-list : family 2>/dev/null | grep -q "$1"
  else
    [ -e "/usr/share/fonts/truetype/dejavu/$2" ]
  fi
}

has_library 'libpango-1.0\.so\.0' || required+=(libpango-1.0-0)
has_library 'libpangoft2-1.0\.so\.0' || required+=(libpangoft2-1.0-0)
{ has_font 'DejaVu Serif' DejaVuSerif.ttf && has_font 'DejaVu Sans' DejaVuSans.ttf; } || required+=(fonts-dejavu-core)
# WeasyPrint 70 subsets fonts with HarfBuzz when it finds libharfbuzz-subset, else falls back to
# fontTools with a warning ("will be required by future versions"): wanted, not yet required.
has_library 'libharfbuzz-subset\.so\.0' || optional+=(libharfbuzz-subset0)

if [ ${#required[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ]; then
  echo "==> System packages for PDF documents: present (Pango, HarfBuzz-subset, DejaVu fonts)"
  exit 0
fi

# ${array[@]+...}: empty arrays under `set -u` with the bash 3.2 of macOS.
missing=(${required[@]+"${required[@]}"} ${optional[@]+"${optional[@]}"})
if ! command -v apt-get >/dev/null 2>&1 || [ ! -e /etc/debian_version ]; then
  echo "!! PDF documents need Pango (>= 1.44), HarfBuzz with its subset library and the DejaVu fonts." >&2
  echo "!! Missing here: ${missing[*]} (Debian names). Install them with your package manager, e.g." >&2
  echo "!!   macOS: brew install pango harfbuzz && brew install --cask font-dejavu" >&2
  echo "!!   Fedora: dnf install pango harfbuzz dejavu-serif-fonts dejavu-sans-fonts" >&2
  echo "!!   Alpine: apk add pango harfbuzz-subset font-dejavu" >&2
  exit 0
fi

if [ "$(id -u)" = "0" ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "!! Missing ${missing[*]}, and installing needs root (or sudo): apt-get install ${missing[*]}" >&2
  [ ${#required[@]} -eq 0 ] && exit 0 || exit 1
fi

echo "==> Installing system packages for PDF documents (apt-get): ${missing[*]}"
if ! ${sudo[@]+"${sudo[@]}"} apt-get update -qq; then
  echo "!! apt-get update failed: install ${missing[*]} by hand." >&2
  [ ${#required[@]} -eq 0 ] && exit 0 || exit 1
fi
# A package the release does not have (libharfbuzz-subset0 before Debian 12 / Ubuntu 22.04) is
# left out rather than failing the whole installation.
installable=()
for package in "${missing[@]}"; do
  if apt-cache show "$package" >/dev/null 2>&1; then
    installable+=("$package")
  else
    echo "!! $package is not available on this release: skipped." >&2
  fi
done
if [ ${#installable[@]} -gt 0 ] &&
  ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${installable[@]}" >/dev/null; then
  exit 0
fi
echo "!! apt-get could not install: ${missing[*]}" >&2
# Without Pango or the fonts no document can be printed; without the subsetter they still are.
[ ${#required[@]} -eq 0 ] && exit 0 || exit 1
