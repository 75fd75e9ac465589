#!/bin/sh
# mc-pc.sh PREFIX LIBS: pkg-config's mc.pc for libmc installed under PREFIX (make install).
# LIBS, the libraries libmc uses, are private: libmc.so links them itself.
# The version is libmc's (MC_VERSION in common/api/mc.c).
set -eu
here=$(dirname "$0")
version=$(sed -n 's/^#define MC_VERSION "\(.*\)"$/\1/p' "$here/../common/api/mc.c")
cat <<PC
prefix=$1
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: mc
Description: metacell storage for single-cell atlases (containers, views, collections, groups)
Version: $version
Libs: -L\${libdir} -lmc
Libs.private: $2
Cflags: -I\${includedir}
PC
