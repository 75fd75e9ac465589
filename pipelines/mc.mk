# mc.mk: the whole flow as make rules, from a data root's raw/ to cells/ and views/.
#
#   raw/NAME.h5              HCA or 10x HDF5 (or raw/NAME.h5ad, raw/NAME.loom): read directly,
#                            no text in between
#   raw/NAME/                10x v2/v3 or MOCA directory (read in place: raw/NAME/format.yaml,
#                            else the tools recognise the layout, plain or .gz files)
#   delaned/NAME/LANE/       directories only: one STD per lane, delaned/NAME/lanes.txt
#                            (mc-delane)
#   genes/                   the gene set of every HDF5 file and every lane (mc-make-genes):
#                            they must list the same genes, or with GENE_SET=union
#                            their union (a gene a sample lacks is zero in its cells)
#   cells/NAME/LANE/         one BATCH per lane: HDF5 all lanes in one job (mc-import-cells);
#                            directories one job per lane (mc-write-matrix)
#   cells/NAME/              their COLLECTION                   (mc-import-cells, mc-collect)
#   views/NAME/              the profiles with at least MIN_UMIS UMIs, with totals
#                            (mc-make-view); views/NAME/groups when raw/NAME.groups.tsv
#                            (barcode<TAB>group) exists (mc-group)
#
# Use from a data root:  make -f MC/pipelines/Makefile -j2   (or include this file).
# Every tool writes atomically, so a killed run restarts where it stopped; lanes are
# read from lanes.txt, and make re-reads itself once after delaning.  The rules write
# nothing but through the tools (and stamps that hold no data); a second make on the
# same root waits for the first.

# MC_HOME: the repository, or PREFIX/share/mc of an installed mc (tools in PREFIX/bin).
MC_HOME   ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
MC_BIN    ?= $(if $(wildcard $(MC_HOME)/bin/mc-delane),$(MC_HOME)/bin,$(abspath $(MC_HOME)/../../bin))
ORGANISM  ?= human
MIN_UMIS  ?= 0
GENE_SET  ?= same
ifeq ($(filter same union,$(GENE_SET)),)
$(error GENE_SET=$(GENE_SET): expected same (every sample lists the same genes) or union)
endif
export PATH := $(MC_BIN):$(PATH)

# One make at a time on a data root: a second one waits until the first is done (and then
# finds its work done), rather than racing it on the same outputs.  The lock is flock(1) on
# the root directory, held by a process that lives as long as this make; a restarted make
# (after delaning), a make it runs, and -n or -q, which write nothing, take none.  Where
# the filesystem has no flock the tools' own atomic commits are what is left.
MC_FLAGS := $(firstword -$(MAKEFLAGS))
ifeq ($(MAKE_RESTARTS)$(MC_ROOT_LOCKED)$(findstring n,$(MC_FLAGS))$(findstring q,$(MC_FLAGS)),)
MC_WAIT := mc.mk: another make is running on this data root; waiting for it to finish
$(if $(shell exec 9<.; flock -n -E 75 9 2>/dev/null; \
             if [ $$? = 75 ]; then echo '$(MC_WAIT)' >&2; flock 9 2>/dev/null; fi; \
             (tail -s 0.2 --pid=$$PPID -f /dev/null >/dev/null 2>&1 &)),)
endif
export MC_ROOT_LOCKED := 1

# Names make can take, or it stops before anything runs: make splits file names at white
# space and reads : # % ; = ( ) * ? [ ] \ and the dollar sign as syntax, and the recipes pass
# names to sh in single quotes.  The Snakefile takes any name.
MC_HASH := \#
MC_BAD_CHARS := : $(MC_HASH) % ; = ( ) * ? [ ] \ $$ ' " `
MC_SPACED := $(shell for f in raw/*[[:space:]]*; do [ -e "$$f" ] && printf '%s' "$$f" && break; done)
ifneq ($(MC_SPACED),)
$(error $(MC_SPACED): a name with white space, which make cannot take (rename it, or run the Snakefile))
endif
# $(call mc_bad_name,WORDS): the first of WORDS holding one of MC_BAD_CHARS.
mc_bad_name = $(firstword $(foreach f,$(1),$(if $(strip $(foreach c,$(MC_BAD_CHARS),$(findstring $(c),$(f)))),$(f))))
MC_BAD_RAW := $(call mc_bad_name,$(wildcard raw/*))
ifneq ($(MC_BAD_RAW),)
$(error $(MC_BAD_RAW): a name with one of $(MC_BAD_CHARS), which make cannot take (rename it, or run the Snakefile))
endif

H5_FILES    := $(wildcard raw/*.h5 raw/*.h5ad raw/*.loom)
H5_SAMPLES  := $(basename $(notdir $(H5_FILES)))
DIR_SAMPLES := $(patsubst raw/%/,%,$(wildcard raw/*/))
SAMPLES     := $(sort $(H5_SAMPLES) $(DIR_SAMPLES))

.PHONY: mc-all
mc-all: $(SAMPLES:%=views/%/p.total_umis.npy) \
        $(foreach s,$(SAMPLES),$(if $(wildcard raw/$(s).groups.tsv),views/$(s)/groups/profiles.yaml))

.DELETE_ON_ERROR:
.SECONDARY:

# --- raw directories -> delaned -------------------------------------------------------
# A raw directory's format: its own format.yaml, else mc-delane recognises the layout
# by its files (10x v2/v3 or MOCA, each file plain or .gz; formats/ of this mc).
define mc_dir_sample
delaned/$(1)/lanes.txt: $(filter-out %/,$(wildcard raw/$(1)/*))
	mc-delane --force 'raw/$(1)' 'delaned/$(1)'
endef
$(foreach s,$(DIR_SAMPLES),$(eval $(call mc_dir_sample,$(s))))

# --- lanes -> batches ----------------------------------------------------------------
# LANES_NAME lists the lanes of sample NAME, read from its lanes.txt.  delaned/NAME/lanes.mk,
# an empty stamp newer than lanes.txt, is included only so that make restarts once it has
# delaned and reads the new lanes: what it holds does not matter (an empty or truncated
# one, or one an older mc wrote, is harmless).  Lane names are refused as sample names are.
delaned/%/lanes.mk: delaned/%/lanes.txt
	touch '$@'
-include $(DIR_SAMPLES:%=delaned/%/lanes.mk)
# (the names are read, never parsed as make text, until the checks below have passed them)
mc_read_lanes = $(if $(wildcard delaned/$(1)/lanes.txt),$(strip $(file <delaned/$(1)/lanes.txt)))
$(foreach s,$(DIR_SAMPLES),$(eval LANES_$(s) := $$(call mc_read_lanes,$(s))))
MC_SPACED := $(shell for s in $(DIR_SAMPLES:%='delaned/%/lanes.txt'); do \
                 [ -e "$$s" ] && grep -q '[[:space:]]' "$$s" && printf '%s' "$$s" && break; done)
ifneq ($(MC_SPACED),)
$(error $(MC_SPACED): a lane name with white space, which make cannot take (run the Snakefile))
endif
MC_BAD_LANE := $(call mc_bad_name,$(foreach s,$(DIR_SAMPLES),$(LANES_$(s):%=delaned/$(s)/%)))
ifneq ($(MC_BAD_LANE),)
$(error $(MC_BAD_LANE): a lane name with one of $(MC_BAD_CHARS), which make cannot take (run the Snakefile))
endif

ALL_LANES := $(foreach s,$(DIR_SAMPLES),$(addprefix $(s)/,$(LANES_$(s))))

# The gene set is checked whenever a sample changes, but replaced only when it
# changed (mc-make-genes --if-changed), so re-importing one sample does not rebuild
# every other sample's batches.  genes/.checked is an empty stamp.
genes/.checked: $(H5_FILES) $(DIR_SAMPLES:%=delaned/%/lanes.txt)
	mc-make-genes --if-changed --organism '$(ORGANISM)' $(if $(filter union,$(GENE_SET)),--union) \
	    $(foreach i,$(H5_FILES) $(ALL_LANES:%=delaned/%),'$(i)') genes
	touch '$@'
genes/genes.yaml: | genes/.checked ;

# An HDF5 file's batches and collection, in one read of the file.
define mc_h5_sample
cells/$(basename $(notdir $(1)))/profiles.yaml: $(1) genes/genes.yaml | genes/.checked
	mc-import-cells --force --totals --genes genes '$(1)' 'cells/$(basename $(notdir $(1)))'
endef
$(foreach f,$(H5_FILES),$(eval $(call mc_h5_sample,$(f))))

# A lane's batch, rebuilt when its sample is delaned again or the gene set changed.
define mc_sample_cells
$(LANES_$(1):%=cells/$(1)/%/profiles.yaml): cells/$(1)/%/profiles.yaml: delaned/$(1)/lanes.txt genes/genes.yaml | genes/.checked
	mc-write-matrix --force --genes genes 'delaned/$(1)/$$*' 'cells/$(1)/$$*'

cells/$(1)/profiles.yaml: $(LANES_$(1):%=cells/$(1)/%/profiles.yaml)
	mc-collect --force 'cells/$(1)' $(foreach l,$(LANES_$(1)),'$(l)=cells/$(1)/$(l)')
endef
$(foreach s,$(DIR_SAMPLES),$(eval $(call mc_sample_cells,$(s))))

# --- views -----------------------------------------------------------------------------
# The profiles with at least MIN_UMIS UMIs, and the view's totals with it, in one job.
views/%/profiles.yaml views/%/p.total_umis.npy: cells/%/profiles.yaml
	mc-make-view --force --min-umis '$(MIN_UMIS)' 'cells/$*' 'views/$*'

# Labels are usually exported for every cell; those of profiles not in the view are skipped.
views/%/groups/profiles.yaml: views/%/profiles.yaml raw/%.groups.tsv
	mc-group --force --ignore-unknown --groups 'raw/$*.groups.tsv' 'views/$*'
