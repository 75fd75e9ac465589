# mc: build, test and run.  `make deps` once, then `make check` / `make demo`.
CC       ?= cc
CFLAGS   ?= -O2 -g
PKGS     := yaml-0.1 hdf5 zlib libmd libdeflate
# The project's own flags apply whatever CFLAGS the caller passes (make sanitize does).
# common/ is in layers, lowest first; a module includes only its own layer and those below it
# (common/README.md, tests/layers.bats).  Every layer is on the include path.
LAYERS    := base io std store hdf5 ops cli api
MC_CFLAGS := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Wall -Wextra -Werror $(LAYERS:%=-Icommon/%) \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
MC_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -lpthread
# The programs take HDF5 from its archive when there is one: Debian's libhdf5.so brings libcurl
# and 30 more libraries (its S3 driver) into every start, 20 ms of CPU where the other tools
# start in 3 (libmc.so keeps the shared one; HDF5's filter plugins load either way).
HDF5_A    := $(firstword $(wildcard $(patsubst -L%,%/libhdf5.a,$(shell pkg-config --libs-only-L hdf5 2>/dev/null))))
PROG_LIBS := $(if $(HDF5_A),$(HDF5_A) -lsz $(shell pkg-config --libs $(filter-out hdf5,$(PKGS)) 2>/dev/null) \
                 -lcsv -lm -ldl -lpthread,$(MC_LIBS))

LIB_SRC   := $(sort $(wildcard $(LAYERS:%=common/%/*.c)))
LIB_OBJ   := $(LIB_SRC:.c=.o)
LIB_HDR   := $(wildcard $(LAYERS:%=common/%/*.h))
BINS      := $(patsubst %.c,%,$(sort $(wildcard bin/mc-*.c)))
TEST_BINS := $(patsubst %.c,%,$(sort $(wildcard tests/helpers/*.c)))
# C unit tests of the codecs and the toolkit, one program a module (run by tests/unit.bats).
UNIT_BINS := $(patsubst %.c,%,$(sort $(wildcard tests/unit/*.c)))

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all deps check check-quick check-slow check-all sanitize bench bench-e2e demo clean install man
all: $(BINS) $(TEST_BINS) $(UNIT_BINS) common/libmc.so common/libmc-public.a

# One set of objects for both libraries: position-independent, and every symbol hidden but
# what mc.h marks MC_API, so libmc.so exports only the public interface (doc/api.md).  The
# tools link libmc.a (hidden symbols link statically as any other; PIC costs nothing on
# x86-64 when nothing can be interposed).
MC_SOVERSION := 0
common/libmc.a: $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

common/libmc.so.$(MC_SOVERSION): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libmc.so.$(MC_SOVERSION) $(LDFLAGS) -o $@ $^ $(MC_LIBS)
common/libmc.so: common/libmc.so.$(MC_SOVERSION)
	ln -sf libmc.so.$(MC_SOVERSION) $@

# The static library installed for other programs: every module linked into one object whose
# hidden symbols are then made local, so its only global names are mc.h's (a program linking
# it meets none of mc's internal names, as libuuid's uuid_parse would have met ours).
common/libmc-public.a: $(LIB_OBJ)
	$(LD) -r -o common/libmc-public.o $^
	objcopy --localize-hidden common/libmc-public.o
	rm -f $@ && $(AR) rcs $@ common/libmc-public.o

common/%.o: common/%.c $(LIB_HDR)
	$(CC) $(MC_CFLAGS) $(CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

bin/mc-% tests/helpers/% tests/unit/%: LINK = $(CC) $(MC_CFLAGS) $(CFLAGS) -o $@ $< common/libmc.a $(LDFLAGS) $(PROG_LIBS)
bin/mc-%: bin/mc-%.c common/libmc.a $(LIB_HDR)
	$(LINK)
tests/helpers/%: tests/helpers/%.c common/libmc.a $(LIB_HDR)
	$(LINK)
tests/unit/%: tests/unit/%.c tests/unit/unit.h common/libmc.a $(LIB_HDR)
	$(LINK)

deps:
	./scripts/deps.sh

# --- install: the tools, their formats and pipelines, a man page per tool ----------------
# Installed tools find formats/ at ../share/mc/ beside their bin/ (common/std/formats.c), so a
# tree staged with DESTDIR and moved works as well.
PREFIX   ?= /usr/local
BINDIR   := $(DESTDIR)$(PREFIX)/bin
SHAREDIR := $(DESTDIR)$(PREFIX)/share/mc
MANDIR   := $(DESTDIR)$(PREFIX)/share/man/man1
LIBDIR   := $(DESTDIR)$(PREFIX)/lib
# The Python package where Debian's python3 looks under PREFIX (/usr/local/lib/python3.X/dist-packages);
# it finds libmc.so.0 three directories up, in PREFIX/lib.  (Worked out by install alone: a python
# start at every make was 0.1 to 0.6 s.)  Debian's own python3 when there is one, not a python3
# earlier on PATH (a pyenv shim: another version, and 0.3 s of bash before it starts).
PYDIR     = $(LIBDIR)/$(shell $(firstword $(wildcard /usr/bin/python3) python3) \
                                -c 'import sys; print("python%d.%d" % sys.version_info[:2])' 2>/dev/null \
                                || echo python3)/dist-packages/mcstore
INCDIR   := $(DESTDIR)$(PREFIX)/include
MANS     := $(patsubst bin/%,build/man/%.1,$(BINS))

man: $(MANS)
# The page is the tool's --help (help2man); its NAME line the description under the usage.
build/man/%.1: bin/% scripts/man-name.sh
	@mkdir -p build/man
	help2man --no-info --no-discard-stderr --name="$$(scripts/man-name.sh ./$<)" ./$< >$@.tmp
	mv $@.tmp $@

install: all man
	install -d $(BINDIR) $(SHAREDIR)/formats $(SHAREDIR)/pipelines/profiles/slurm $(MANDIR)
	install -m 755 $(BINS) $(BINDIR)
	install -m 644 formats/*.yaml $(SHAREDIR)/formats
	install -m 644 pipelines/Makefile pipelines/mc.mk pipelines/Snakefile $(SHAREDIR)/pipelines
	install -m 644 pipelines/profiles/slurm/config.yaml $(SHAREDIR)/pipelines/profiles/slurm
	install -m 755 pipelines/profiles/slurm/status.sh $(SHAREDIR)/pipelines/profiles/slurm
	install -m 644 $(MANS) $(MANDIR)
	install -d $(LIBDIR)/pkgconfig $(INCDIR)
	install -m 644 common/api/mc.h $(INCDIR)
	install -m 644 common/libmc-public.a $(LIBDIR)/libmc.a
	install -m 755 common/libmc.so.$(MC_SOVERSION) $(LIBDIR)
	ln -sf libmc.so.$(MC_SOVERSION) $(LIBDIR)/libmc.so
	scripts/mc-pc.sh '$(PREFIX)' '$(strip $(MC_LIBS))' >$(LIBDIR)/pkgconfig/mc.pc
	install -d $(PYDIR)
	install -m 644 python/mcstore/*.py $(PYDIR)

# Test files run in parallel (GNU parallel, `make deps`), TEST_JOBS at a time, one more than
# the cores: some tests wait (SLURM's and Snakemake's polling, sleeps for a lock), and a third
# file fills those gaps (make check on a quiet machine, the two runs back to back: 214 s wall
# against 220 s with one per core, 404 against 370 CPU s; under load 418 s against 579).  A file's own
# tests run one after another: bats's sharing of the slots between the tests of open files
# polls once a second, about half a second lost a test.  The longest files start first
# (TEST_FIRST, by wall seconds: slurm's mostly waits on its daemons and Snakemake's polling,
# so it starts first and the others fill its waits), so that what is left at the end is
# short; the rest follow.
TEST_JOBS  ?= $(shell echo $$(($$(nproc 2>/dev/null || echo 1) + 1)))
TEST_FIRST := slurm pipeline faults demo api import derived crash cells export hostile hca h5ad temporaries layouts \
              install fuzz qc gen reliability annotations
TEST_FILES := $(TEST_FIRST:%=tests/%.bats) $(filter-out $(TEST_FIRST:%=tests/%.bats),$(sort $(wildcard tests/*.bats)))
BATS_RUN   := bats --jobs $(TEST_JOBS) --no-parallelize-within-files
# The edit-test loop: codecs, containers, views, data, options and the output rules (< 1 minute).
QUICK_TESTS := data container lib unit groups mmm guard options layers style harness
# make check: every test but the slow tier, those tagged `# bats test_tags=slow` (the long
# sweeps and big cases, the harness checked against bats: none an issue names for make check);
# make check-slow: those; make check-all, what CI runs: both, in one run.  What the tests would
# otherwise build inside one test on one core (fuzz.bats's harnesses, install.bats's man pages)
# is made first, by make -j.
check: all fuzz-build man
	$(BATS_RUN) --filter-tags '!slow' $(TEST_FILES)

check-slow: all fuzz-build man
	$(BATS_RUN) --filter-tags slow $(TEST_FILES)

check-all: all fuzz-build man
	$(BATS_RUN) $(TEST_FILES)

check-quick: all
	$(BATS_RUN) --filter-tags '!slow' $(QUICK_TESTS:%=tests/%.bats)

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer, in its own tree.
sanitize:
	rm -rf build/sanitize && mkdir -p build/sanitize
	git ls-files -co --exclude-standard | grep -v '^build/' | cpio -pdm --quiet build/sanitize
	$(MAKE) -C build/sanitize clean
	$(MAKE) -C build/sanitize all CFLAGS='$(SAN_FLAGS)' LDFLAGS='-fsanitize=address,undefined'
	cd build/sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    $(BATS_RUN) $(TEST_FILES)

include tests/fuzz/fuzz.mk
include tests/fault/fault.mk

bench: all
	./bench/run.sh

# The whole pipeline on BENCH_CELLS (default one million) cells: wall, peak RSS, peak disk.
bench-e2e: all
	./bench/e2e.sh $(or $(BENCH_CELLS),1000000)

# What the demo runs: the tools, the generator of its example, libmc.so for its Python hint.
demo: $(BINS) tests/helpers/gen-hca common/libmc.so
	./scripts/demo.sh

clean:
	rm -f common/*/*.o common/libmc.a common/libmc-public.* common/libmc.so* $(BINS) $(TEST_BINS) $(UNIT_BINS) \
	    tests/fault/libfault.so tests/fault/libfault-alloc.so
	rm -rf build/man
