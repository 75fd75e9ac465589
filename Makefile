# mc: build, test and run.  `make deps` once, then `make check` / `make demo`.
CC      ?= cc
PKGS    := yaml-0.1 hdf5 zlib libmd
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Wall -Wextra -Werror -Icommon
CFLAGS  += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm

LIB_SRC := $(sort $(wildcard common/*.c))
LIB_OBJ := $(LIB_SRC:.c=.o)
BIN_SRC := $(sort $(wildcard bin/mc-*.c))
BINS    := $(BIN_SRC:.c=)
TEST_SRC := $(sort $(wildcard tests/helpers/*.c))
TEST_BINS := $(TEST_SRC:.c=)

.PHONY: all deps check sanitize bench demo clean
all: $(BINS) $(TEST_BINS)

common/libmc.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

common/%.o: common/%.c $(wildcard common/*.h)
	$(CC) $(CFLAGS) -c -o $@ $<

bin/mc-%: bin/mc-%.c common/libmc.a
	$(CC) $(CFLAGS) -o $@ $< common/libmc.a $(LDFLAGS) $(LDLIBS)

tests/helpers/%: tests/helpers/%.c common/libmc.a
	$(CC) $(CFLAGS) -o $@ $< common/libmc.a $(LDFLAGS) $(LDLIBS)

deps:
	./scripts/deps.sh

check: all
	bats tests/

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer, in its own build tree.
sanitize:
	rm -rf build/sanitize && mkdir -p build/sanitize
	git ls-files -co --exclude-standard | grep -vE '^(build/)' | cpio -pdm --quiet build/sanitize 2>/dev/null || cp -r bin common tests formats pipelines Makefile build/sanitize/
	$(MAKE) -C build/sanitize clean
	$(MAKE) -C build/sanitize all CFLAGS='-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer' LDFLAGS='-fsanitize=address,undefined'
	cd build/sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 bats tests/

bench: all
	./bench/run.sh

clean:
	rm -f common/*.o common/libmc.a $(BINS) $(TEST_BINS)
