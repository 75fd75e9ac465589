# tests/fuzz: libFuzzer harnesses, one per parser, built with clang against
# their own instrumented copy of common/ (included by the top Makefile).
#   make fuzz-build               build/fuzz/fuzz_NAME and the fixture they need
#   make fuzz FUZZ_SECONDS=N      each harness for N seconds, one after another, niced
#   make fuzz-regress             each harness once over its corpus (make check does it too)
# Corpora: tests/fuzz/corpus/NAME (seeds from the shipped data, and every input
# that ever crashed); what fuzzing discovers goes to build/fuzz/corpus/NAME.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS    := $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
FUZZ_OBJ     := $(LIB_SRC:common/%.c=build/fuzz/obj/%.o)

.PHONY: fuzz fuzz-build fuzz-regress
fuzz-build: $(FUZZ_BINS) build/fuzz/fixture/genes/genes.yaml

build/fuzz/obj/%.o: common/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(MC_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/libmc.a: $(FUZZ_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h build/fuzz/libmc.a
	$(FUZZ_CC) $(MC_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< build/fuzz/libmc.a $(MC_LIBS)

build/fuzz/fixture/genes/genes.yaml: tests/fuzz/fixture.sh $(BINS)
	tests/fuzz/fixture.sh build/fuzz/fixture

fuzz: fuzz-build
	tests/fuzz/run.sh fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-regress: fuzz-build
	tests/fuzz/run.sh regress 0 $(FUZZ_NAMES)
