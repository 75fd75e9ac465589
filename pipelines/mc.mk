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
# discovered from lanes.txt through a generated makefile, so make re-reads itself once.

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
	mc-delane --force raw/$(1) delaned/$(1)
endef
$(foreach s,$(DIR_SAMPLES),$(eval $(call mc_dir_sample,$(s))))

# --- lanes -> batches ----------------------------------------------------------------
# LANES_NAME lists the lanes of sample NAME once its lanes.txt exists.
delaned/%/lanes.mk: delaned/%/lanes.txt
	sed 's|.*|LANES_$(subst /,_,$*) += &|' $< >$@
-include $(DIR_SAMPLES:%=delaned/%/lanes.mk)

ALL_LANES := $(foreach s,$(DIR_SAMPLES),$(addprefix $(s)/,$(LANES_$(s))))

# The gene set is checked whenever a sample changes, but replaced only when it
# changed, so re-importing one sample does not rebuild every other sample's batches.
genes/.checked: $(H5_FILES) $(DIR_SAMPLES:%=delaned/%/lanes.txt)
	mc-make-genes --force --organism $(ORGANISM) $(if $(filter union,$(GENE_SET)),--union) $(H5_FILES) $(ALL_LANES:%=delaned/%) .genes.new
	if [ -d genes ] && diff -rq -x .checked .genes.new genes >/dev/null; then rm -rf .genes.new; \
	else rm -rf genes && mv .genes.new genes; fi
	touch $@
genes/genes.yaml: | genes/.checked ;

# An HDF5 file's batches and collection, in one read of the file.
define mc_h5_sample
cells/$(basename $(notdir $(1)))/profiles.yaml: $(1) genes/genes.yaml | genes/.checked
	mc-import-cells --force --totals --genes genes $(1) cells/$(basename $(notdir $(1)))
endef
$(foreach f,$(H5_FILES),$(eval $(call mc_h5_sample,$(f))))

# A lane's batch, rebuilt when its sample is delaned again or the gene set changed.
define mc_sample_cells
$(LANES_$(1):%=cells/$(1)/%/profiles.yaml): cells/$(1)/%/profiles.yaml: delaned/$(1)/lanes.txt genes/genes.yaml | genes/.checked
	mc-write-matrix --force --genes genes delaned/$(1)/$$* cells/$(1)/$$*

cells/$(1)/profiles.yaml: $(LANES_$(1):%=cells/$(1)/%/profiles.yaml)
	mc-collect --force cells/$(1) $(foreach l,$(LANES_$(1)),$(l)=cells/$(1)/$(l))
endef
$(foreach s,$(DIR_SAMPLES),$(eval $(call mc_sample_cells,$(s))))

# --- views -----------------------------------------------------------------------------
# The profiles with at least MIN_UMIS UMIs, and the view's totals with it, in one job.
views/%/profiles.yaml views/%/p.total_umis.npy: cells/%/profiles.yaml
	mc-make-view --force --min-umis $(MIN_UMIS) cells/$* views/$*

# Labels are usually exported for every cell; those of profiles not in the view are skipped.
views/%/groups/profiles.yaml: views/%/profiles.yaml raw/%.groups.tsv
	mc-group --force --ignore-unknown --groups raw/$*.groups.tsv views/$*
