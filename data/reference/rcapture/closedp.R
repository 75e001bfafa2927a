# Reference values from Rcapture 1.4-4 for the compendium's own data (not Rcapture's examples):
# closedp.t on the snowshoe hare and the six UK modern-slavery lists, closedp.0 on the MTurk
# frequencies (t = 140). Run from the repository root:
#   Rscript data/reference/rcapture/closedp.R > data/reference/rcapture/closedp.csv
# R is used only to produce these values; the compendium never needs it.
suppressMessages(library(Rcapture))
hare <- read.csv("data/raw/rcapture-benchmarks/hare.csv")
uk <- read.csv("data/raw/sparsemse-trafficking-lists/UKdat.csv")
mturk <- read.csv("data/raw/mturk-surveys-population/pop_times_seen.csv")[, c("k", "observed")]

calls <- list(
  list(dataset = "rcapture-hare", call = "closedp.t(hare)", fit = function() closedp.t(hare)),
  list(dataset = "sparsemse-uk", call = "closedp.t(UKdat, dfreq = TRUE)",
       fit = function() closedp.t(uk, dfreq = TRUE)),
  list(dataset = "mturk-times-seen", call = "closedp.0(pop_times_seen, dfreq = TRUE, dtype = \"nbcap\", t = 140)",
       fit = function() closedp.0(as.matrix(mturk), dfreq = TRUE, dtype = "nbcap", t = 140)))

software <- sprintf("%s; Rcapture %s", R.version.string, packageDescription("Rcapture")$Version)
rows <- list()
for (c in calls) {
  out <- c$fit()
  res <- out$results
  warnings <- vapply(rownames(res), function(m) {
    w <- out$glm.warn[[which(rownames(res) == m)]]
    if (is.null(w)) "" else paste(unique(w), collapse = "; ")
  }, "")
  rows[[c$dataset]] <- data.frame(
    dataset = c$dataset, call = c$call, model = rownames(res),
    abundance = res[, "abundance"], stderr = res[, "stderr"], deviance = res[, "deviance"],
    df = res[, "df"], AIC = res[, "AIC"], BIC = res[, "BIC"], infoFit = res[, "infoFit"],
    warnings = warnings, software = software, check.names = FALSE)
}
table <- do.call(rbind, rows)
numeric <- c("abundance", "stderr", "deviance", "AIC", "BIC")
table[numeric] <- lapply(table[numeric], function(x) trimws(formatC(x, digits = 10, format = "g")))
write.csv(table, stdout(), row.names = FALSE)
