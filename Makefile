# mc: build, test and run.  `make deps` once, then `make check` / `make demo`.
CC       ?= cc
CFLAGS   ?= -O2 -g
PKGS     := yaml-0.1 hdf5 zlib libmd libdeflate
# The project's own flags apply whatever CFLAGS the caller passes (make sanitize does).
MC_CFLAGS := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Wall -Wextra -Werror -Icommon \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
MC_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -lpthread

LIB_SRC   := $(sort $(wildcard common/*.c))
LIB_OBJ   := $(LIB_SRC:.c=.o)
LIB_HDR   := $(wildcard common/*.h)
BINS      := $(patsubst %.c,%,$(sort $(wildcard bin/mc-*.c)))
TEST_BINS := $(patsubst %.c,%,$(sort $(wildcard tests/helpers/*.c)))

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all deps check sanitize bench bench-e2e demo clean
all: $(BINS) $(TEST_BINS)

common/libmc.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

common/%.o: common/%.c $(LIB_HDR)
	$(CC) $(MC_CFLAGS) $(CFLAGS) -c -o $@ $<

bin/mc-% tests/helpers/%: LINK = $(CC) $(MC_CFLAGS) $(CFLAGS) -o $@ $< common/libmc.a $(LDFLAGS) $(MC_LIBS)
bin/mc-%: bin/mc-%.c common/libmc.a $(LIB_HDR)
	$(LINK)
tests/helpers/%: tests/helpers/%.c common/libmc.a $(LIB_HDR)
	$(LINK)

deps:
	./scripts/deps.sh

check: all
	bats tests/

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer, in its own tree.
sanitize:
	rm -rf build/sanitize && mkdir -p build/sanitize
	git ls-files -co --exclude-standard | grep -v '^build/' | cpio -pdm --quiet build/sanitize
	$(MAKE) -C build/sanitize clean
	$(MAKE) -C build/sanitize all CFLAGS='$(SAN_FLAGS)' LDFLAGS='-fsanitize=address,undefined'
	cd build/sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 bats tests/

include tests/fuzz/fuzz.mk
include tests/fault/fault.mk

bench: all
	./bench/run.sh

# The whole pipeline on BENCH_CELLS (default one million) cells: wall, peak RSS, peak disk.
bench-e2e: all
	./bench/e2e.sh $(or $(BENCH_CELLS),1000000)

demo: all
	./scripts/demo.sh

clean:
	rm -f common/*.o common/libmc.a $(BINS) $(TEST_BINS) tests/fault/libfault.so
