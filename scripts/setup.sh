#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test Ferrite:
#   - Debian's rustc-web toolchain (Rust 1.96 + its library source, to build core/alloc
#     for wasm32; crates.io and rustup downloads are not needed), its rustfmt (npm run lint),
#     and lld for wasm-ld;
#   - the Fashion-MNIST data set (Debian package dataset-fashion-mnist);
#   - Chromium, for the browser tests (test/e2e/browser/, driven by playwright-core);
#   - the npm dependencies (npm ci).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(rustc-web cargo-web rust-web-src rustfmt-web lld-22 dataset-fashion-mnist chromium)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
echo "setup: done"
