# bench/bpcells.R H5 DIR: BPCells' side of bench/bpcells.sh.  Reads one
# operation a line on stdin, runs it, answers one line on stdout
#   NAME WALL CPU CHECK
# wall and CPU (user + system of this process, its threads included) seconds
# of the operation alone, timed inside R: R's start-up, loading BPCells and
# reading the labels and barcodes files are not counted.  CHECK is the grand
# total the operation saw (or 0), for the caller to compare with mc's.
# Operations:
#   import            H5 (10x HDF5) into DIR, BPCells' bit-packed store
#   sum               per-cell totals of DIR (colSums, a full scan)
#   subset            the barcodes of keep.txt (one a line) to bp-sub.h5ad
#                     (write_matrix_anndata_hdf5, BPCells' .h5ad writer)
#   pseudobulk K      group sums by gK.txt (one integer a line per cell,
#                     negative = in no group): pseudobulk_matrix, dense
#   multiply K        the same as a sparse product, DIR %*% indicator,
#                     materialised as a dgCMatrix
suppressPackageStartupMessages({
    library(BPCells)
    library(Matrix)
})
args <- commandArgs(trailingOnly = TRUE)
h5 <- args[1]
dir <- args[2]
mat <- if (dir.exists(dir)) open_matrix_dir(dir) else NULL
keep <- readLines("keep.txt")
labels <- list()
for (k in c(8, 1000, 20000)) labels[[as.character(k)]] <- scan(sprintf("g%d.txt", k), integer(), quiet = TRUE)

timed <- function(name, f) {
    gc(verbose = FALSE)
    t0 <- proc.time()
    check <- f()
    t <- proc.time() - t0
    cat(sprintf("%s %.3f %.3f %.0f\n", name, t[["elapsed"]], t[["user.self"]] + t[["sys.self"]], check))
    flush(stdout())
}

ops <- list(
    import = function(k) {
        unlink(dir, recursive = TRUE)
        mat <<- write_matrix_dir(open_matrix_10x_hdf5(h5), dir)
        0
    },
    sum = function(k) sum(colSums(mat)),
    subset = function(k) {
        unlink("bp-sub.h5ad")
        sub <- write_matrix_anndata_hdf5(mat[, keep], "bp-sub.h5ad")
        0
    },
    pseudobulk = function(k) {
        g <- labels[[k]]
        sums <- pseudobulk_matrix(mat[, g >= 0], g[g >= 0], method = "sum")
        sum(sums)
    },
    multiply = function(k) {
        g <- labels[[k]]
        ind <- sparseMatrix(i = which(g >= 0), j = g[g >= 0] + 1, x = 1, dims = c(ncol(mat), as.integer(k)))
        sums <- as(mat %*% ind, "dgCMatrix")
        sum(sums@x)
    }
)

con <- file("stdin", "r")
while (length(line <- readLines(con, n = 1)) > 0) {
    w <- strsplit(line, " ", fixed = TRUE)[[1]]
    if (w[1] == "colnames") {
        writeLines(colnames(mat), w[2])
        cat("colnames 0 0 0\n")
        flush(stdout())
        next
    }
    timed(line, function() ops[[w[1]]](if (length(w) > 1) w[2] else NA))
}
