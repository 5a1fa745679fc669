#!/usr/bin/env bash
# The Debian packages a learner's notebooks use: the compilers to wasm32 and natively, wasm
# tools, the venv module. `./kit` sources this file (setup installs these with the rest);
# the course image (deploy/Dockerfile) runs it alone, so that an edit elsewhere in the kit
# keeps the image's apt layer cached: only a change here installs the packages again.
#
#   bash deploy/course-packages.sh    prints the list for this machine's release

apt_has() {
  # Whether this release packages NAME. `apt-cache show` also succeeds, printing nothing,
  # for a name another package merely mentions (Debian 12's rust-llvm), so look for a
  # record; grep -c reads to the end, so apt-cache never dies of a closed pipe.
  apt-cache show --no-all-versions "$1" 2>/dev/null | grep -c '^Package:' >/dev/null
}

llvm_suffix() {
  # Debian 12 packages compiler-rt/libc++ for wasm32 as *-14-*, Ubuntu 24.04 as *-18-*.
  local v
  for v in 19 18 17 16 15 14; do
    if apt_has "libclang-rt-$v-dev-wasm32"; then echo "$v"; return; fi
  done
  echo 14
}

default_clang_rt() {
  # The plain `clang` a learner types (clang-14 on Debian 12) needs its own wasm32 runtime
  # library for the by-hand build commands in wasm_examples/ to link.
  local d
  d="$(apt-cache depends clang 2>/dev/null | grep -o 'clang-[0-9]\+' | head -1 | cut -d- -f2)"
  [ -n "$d" ] && [ "$d" != "$1" ] && echo "libclang-rt-$d-dev-wasm32"
  return 0
}

rust_linker_package() {
  # rustc links wasm32-wasip1 with rust-lld. Debian 13 moved /usr/bin/rust-lld out of rustc
  # into rust-llvm, which rustc only recommends (and the kit installs without recommends).
  apt_has rust-llvm && echo rust-llvm
  return 0
}

course_packages() {
  # What a learner's notebooks use: the compilers to wasm32 and natively, wasm tools, the
  # venv module. The course image (deploy/Dockerfile) installs exactly these.
  local v
  v="$(llvm_suffix)"
  # clang-$v: libc++ headers only build with a clang at least as new as they are.
  echo clang lld "clang-$v" "lld-$v" wasi-libc "libclang-rt-$v-dev-wasm32" "libc++-$v-dev-wasm32" \
    $(default_clang_rt "$v") \
    "libc++abi-$v-dev-wasm32" rustc libstd-rust-dev-wasm32 $(rust_linker_package) \
    wabt binaryen hyperfine g++ python3-venv
}

# Run, not sourced: print the list.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  course_packages
fi
