# tests/fault: the fault-injection shim the fault tests preload (included by the top Makefile).
all: tests/fault/libfault.so tests/fault/libfault-alloc.so

tests/fault/libfault.so: tests/fault/fault.c
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -o $@ $< -ldl
tests/fault/libfault-alloc.so: tests/fault/fault.c
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -DFAULT_ALLOC -o $@ $< -ldl

# Out of memory at every allocation point of mc's own in each tool (tests/fault/oom.sh), on
# the fuzz fixture: not part of make check while tools still fail it (it lists where).
.PHONY: fault-oom
fault-oom: all build/fuzz/fixture/genes/genes.yaml
	rm -rf build/fault-oom && cp -a build/fuzz/fixture build/fault-oom
	cd build/fault-oom && export PATH="$(CURDIR)/bin:$$PATH" && rc=0 && \
	{ ../../tests/fault/oom.sh - mc-info --verify cells/pbmc || rc=1; } && \
	{ ../../tests/fault/oom.sh - mc-sum views/good || rc=1; } && \
	{ ../../tests/fault/oom.sh s mc-import-hca ../../tests/data/10x/1.2.0/filtered_gene_bc_matrices_h5.h5 s || rc=1; } && \
	{ ../../tests/fault/oom.sh d mc-delane std/pbmc d || rc=1; } && \
	{ ../../tests/fault/oom.sh g mc-make-genes --organism human delaned/pbmc/all g || rc=1; } && \
	{ ../../tests/fault/oom.sh c mc-write-matrix --genes genes delaned/pbmc/all c || rc=1; } && \
	{ ../../tests/fault/oom.sh c2 mc-collect c2 a=cells/pbmc/all b=views/good || rc=1; } && \
	{ ../../tests/fault/oom.sh x.mtx mc-export views/good --mtx -o x.mtx || rc=1; } && \
	g=views/good && rm -rf $$g/groups $$g/outliers $$g/p.group.npy && \
	{ ../../tests/fault/oom.sh $$g/groups,$$g/outliers,$$g/p.group.npy mc-group --groups groups.tsv $$g || rc=1; } && \
	exit $$rc
