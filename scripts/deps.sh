#!/bin/sh
# Install, with apt-get, every Debian package mc needs to build, test and run its pipelines.
set -eu
pkgs="build-essential pkg-config libyaml-dev libhdf5-dev libcsv-dev zlib1g-dev libmd-dev libdeflate-dev
      bats bats-assert bats-support python3-numpy python3-h5py python3-anndata hdf5-tools cpio
      time parallel snakemake slurm-wlm munge python3-loompy help2man clang clang-format libclang-rt-14-dev linux-perf strace"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing" >&2
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
