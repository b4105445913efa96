# Independent reference values for the statistical tests of score-analysis.
#
# Run from the repository root:   Rscript tests/r/reference.R > tests/reference_values.py
# (R 4.2.2 with sandwich, lmtest and metafor).  Every block below is printed into
# tests/reference_values.py as the R code that ran, followed by the values it returned, so
# a reviewer can read each value next to the call that produced it.  The tests import that
# module; they never run R.

suppressPackageStartupMessages({
  library(sandwich)
  library(lmtest)
  library(metafor)
})

fmt <- function(x) {
  if (is.logical(x)) return(if (isTRUE(x)) "True" else "False")
  if (is.na(x)) return("float(\"nan\")")
  if (is.numeric(x) && x == round(x) && abs(x) < 1e15) return(sprintf("%.1f", x))
  sprintf("%.17g", x)
}

out <- character()

emit_code <- function(code) paste0("# R> ", strsplit(trimws(code), "\n", fixed = TRUE)[[1]])

# Run `code` (R source text) in the global environment and print its last value, a named
# list or vector of scalars, as a Python dict called `name`.
block <- function(name, code, doc) {
  val <- eval(parse(text = code), envir = globalenv())
  lines <- c("", "", paste0("# ", strwrap(doc, 95)), emit_code(code), paste0(name, " = {"))
  for (k in names(val)) lines <- c(lines, sprintf("    \"%s\": %s,", k, fmt(val[[k]])))
  out <<- c(out, lines, "}")
}

# Run setup code (definitions, data) and print it as comments only.
setup <- function(code, doc) {
  eval(parse(text = code), envir = globalenv())
  out <<- c(out, "", "", paste0("# ", strwrap(doc, 95)), emit_code(code))
}

setup('
tight <- glm.control(epsilon = 1e-12, maxit = 100)
wald <- function(fit, term) {
  b <- coef(fit)[[term]]
  se <- sqrt(diag(vcov(fit)))[[term]]
  ci <- confint.default(fit)[term, ]
  list(estimate = exp(b), ci_low = exp(ci[[1]]), ci_high = exp(ci[[2]]),
       p_value = 2 * pnorm(-abs(b / se)), std_error = se,
       dispersion = summary(fit)$dispersion)
}
diagnostics <- function(fit) {
  e <- residuals(fit, type = "pearson")
  list(durbin_watson = sum(diff(e)^2) / sum(e^2),
       ljung_box_p = Box.test(e, lag = 6, type = "Ljung-Box")$p.value)
}
hac <- function(fit, term) {
  n <- nobs(fit)
  lag <- floor(4 * (n / 100)^(2 / 9))
  ct <- coeftest(fit, vcov. = NeweyWest(fit, lag = lag, prewhite = FALSE, adjust = TRUE))
  b <- ct[term, "Estimate"]
  se <- ct[term, "Std. Error"]
  list(hac_lag = lag, estimate = exp(b), ci_low = exp(b - qnorm(0.975) * se),
       ci_high = exp(b + qnorm(0.975) * se), p_value = ct[term, "Pr(>|z|)"], std_error = se)
}
', 'Helpers. tight: every glm is iterated to convergence (relative deviance change < 1e-12 instead of the default 1e-8), so that the reference is the maximum-likelihood fit itself rather than where R stops by default (the published Sicily values, made with the default, agree to the digits printed). wald(): Wald estimate, 95% CI and p with the normal quantile and the dispersion-scaled standard error of a quasipoisson fit (confint.default). diagnostics(): Durbin-Watson and Ljung-Box (lag 6) on the Pearson residuals. hac(): Newey-West standard errors (Bartlett kernel, lag floor(4 (n/100)^(2/9)), no prewhitening, small-sample factor n/(n-k)) with z inference, as lmtest::coeftest on a glm.')

# --------------------------------------------------------------------------- Sicily

setup('
sicily <- read.csv("tests/data/sicily.csv")
sicily$t <- sicily$time - 1
sicily$post <- as.numeric(sicily$t >= 36)
sicily$t_after <- pmax(0, sicily$t - 36)
H <- with(sicily, cbind(sin(2 * pi * 1 * month / 12), sin(2 * pi * 2 * month / 12),
                        cos(2 * pi * 1 * month / 12), cos(2 * pi * 2 * month / 12)))
', 'Sicily smoking ban (Lopez Bernal, Cummins & Gasparrini 2017, Int J Epidemiol 46:348-355; tests/data/sicily.csv). H = tsModel::harmonic(month, 2, 12).')

block("SICILY_STEP", '
fit <- glm(aces ~ post + offset(log(stdpop)), family = quasipoisson, data = sicily,
           control = tight)
wald(fit, "post")
', "Naive before/after rate ratio (rate_ratio_step without eid).")

block("SICILY_ITS_LEVEL", '
its <- glm(aces ~ t + post + t_after + offset(log(stdpop)), family = quasipoisson,
           data = sicily, control = tight)
c(wald(its, "post"), diagnostics(its))
', "Segmented regression: step at the ban (its_level), with its residual diagnostics.")

block("SICILY_ITS_SLOPE", '
wald(its, "t_after")
', "Segmented regression: change in slope (its_slope).")

block("SICILY_ITS_LEVEL_HAC", '
hac(its, "post")
', "Newey-West sensitivity row for the Sicily segmented regression.")

block("SICILY_ITS_H_LEVEL", '
its_h <- glm(aces ~ t + post + t_after + H + offset(log(stdpop)), family = quasipoisson,
             data = sicily, control = tight)
c(wald(its_h, "post"), diagnostics(its_h))
', "Segmented regression with two harmonic pairs: step.")

block("SICILY_ITS_H_SLOPE", '
wald(its_h, "t_after")
', "Segmented regression with two harmonic pairs: change in slope.")

block("SICILY_MAIN_H_LEVEL", '
main <- glm(aces ~ t + post + H + offset(log(stdpop)), family = quasipoisson, data = sicily,
            control = tight)
wald(main, "post")
', "The tutorial's main model (level change only, with harmonics).")

# --------------------------------------------------------------------------- KPI fixture

setup('
kpi <- read.csv("tests/data/kpi_eid.csv")
kpi <- kpi[!is.na(kpi$numerator) & !is.na(kpi$exposure) & kpi$exposure > 0, ]
idx <- as.integer(substr(kpi$month, 1, 4)) * 12 + as.integer(substr(kpi$month, 6, 7)) - 1
i0 <- 2010 * 12 + 1 - 1                       # intervention month 2010-01
kpi$t <- idx - min(idx)
kpi$post <- as.numeric(idx >= i0)
kpi$t_after <- pmax(0, idx - i0)
kpi$eid <- as.numeric(kpi$month %in% c("2009-09", "2010-09", "2011-08"))
cm <- as.integer(substr(kpi$month, 6, 7))
HK <- cbind(sin(2 * pi * cm / 12), cos(2 * pi * cm / 12),
            sin(4 * pi * cm / 12), cos(4 * pi * cm / 12))
', 'KPI fixture tests/data/kpi_eid.csv (made by tests/r/make_kpi_fixture.py): 2009-05 missing (t keeps its numbering), 2010-06 has zero exposure (left out), intervention 2010-01, Idul Fitri months 2009-09, 2010-09, 2011-08 (eid both before and after, so the eid term enters).')

block("KPI_STEP_EID", '
step <- glm(numerator ~ post + eid + offset(log(exposure)), family = quasipoisson, data = kpi,
            control = tight)
c(wald(step, "post"), n_pre = sum(kpi$post == 0), n_post = sum(kpi$post == 1))
', "rate_ratio_step with the eid term.")

block("KPI_STEP_NO_EID", '
step0 <- glm(numerator ~ post + offset(log(exposure)), family = quasipoisson, data = kpi,
             control = tight)
wald(step0, "post")
', "rate_ratio_step without the eid term (eid = False).")

block("KPI_ITS_LEVEL_EID", '
its_k <- glm(numerator ~ t + post + t_after + eid + offset(log(exposure)),
             family = quasipoisson, control = tight, data = kpi)
c(wald(its_k, "post"), diagnostics(its_k), eid_ratio = exp(coef(its_k)[["eid"]]))
', "its_level with the eid term, with diagnostics.")

block("KPI_ITS_SLOPE_EID", '
wald(its_k, "t_after")
', "its_slope with the eid term.")

block("KPI_ITS_LEVEL_HAC", '
hac(its_k, "post")
', "Newey-West sensitivity row (Ljung-Box p < 0.05 on this fixture).")

block("KPI_ITS_H_LEVEL", '
its_kh <- glm(numerator ~ t + post + t_after + eid + HK + offset(log(exposure)),
              family = quasipoisson, control = tight, data = kpi)
c(wald(its_kh, "post"), diagnostics(its_kh))
', "its_level with eid and the harmonic terms.")

block("KPI_ITS_H_SLOPE", '
wald(its_kh, "t_after")
', "its_slope with eid and the harmonic terms.")

block("KPI_POOLED_RATES", '
list(pre_value = sum(kpi$numerator[kpi$post == 0]) / sum(kpi$exposure[kpi$post == 0]),
     post_value = sum(kpi$numerator[kpi$post == 1]) / sum(kpi$exposure[kpi$post == 1]))
', "Pooled rates before and after (sum of numerators / sum of exposures).")

# --------------------------------------------------------------------------- comparisons

block("SLEEP_PAIRED_T", '
tt <- with(sleep, t.test(extra[group == 2], extra[group == 1], paired = TRUE))
list(statistic = tt$statistic[[1]], df = tt$parameter[[1]], p_value = tt$p.value,
     estimate = tt$estimate[[1]], ci_low = tt$conf.int[1], ci_high = tt$conf.int[2],
     effect_size = with(sleep, mean(extra[group == 2] - extra[group == 1]) /
                                 sd(extra[group == 2] - extra[group == 1])))
', "R's sleep data, paired t (group 2 minus group 1); effect size Cohen's d_z = mean/sd of the differences.")

block("SLEEP_WILCOXON", '
wt <- with(sleep, suppressWarnings(wilcox.test(extra[group == 2], extra[group == 1],
                                               paired = TRUE)))
list(statistic = wt$statistic[[1]], p_value = wt$p.value,
     estimate = with(sleep, median(extra[group == 2] - extra[group == 1])))
', "R's sleep data, Wilcoxon signed rank (a zero difference and ties: normal approximation with continuity correction).")

setup('
depression_x <- c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30)
depression_y <- c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29)
', "Hollander & Wolfe (1973, p. 29) depression scores, the example of ?wilcox.test: first visit x, second visit y.")

block("DEPRESSION_WILCOXON_EXACT", '
wt <- wilcox.test(depression_y, depression_x, paired = TRUE)
list(statistic = wt$statistic[[1]], p_value = wt$p.value,
     estimate = median(depression_y - depression_x), exact = TRUE)
', "Exact branch: no ties, no zeros, n < 50 (second visit minus first, so V = 5).")

setup('
five_s <- read.csv("tests/data/five_s_pairs.csv")
', "5S fixture tests/data/five_s_pairs.csv: 20 items, percentages at the first and last audit (three zero differences, many ties).")

block("FIVE_S_PAIRED_T", '
tt <- t.test(five_s$after, five_s$before, paired = TRUE)
d <- five_s$after - five_s$before
list(statistic = tt$statistic[[1]], df = tt$parameter[[1]], p_value = tt$p.value,
     estimate = tt$estimate[[1]], ci_low = tt$conf.int[1], ci_high = tt$conf.int[2],
     effect_size = mean(d) / sd(d))
', "Paired t on the 5S fixture.")

block("FIVE_S_WILCOXON", '
wt <- suppressWarnings(wilcox.test(five_s$after, five_s$before, paired = TRUE))
list(statistic = wt$statistic[[1]], p_value = wt$p.value,
     estimate = median(five_s$after - five_s$before))
', "Wilcoxon signed rank on the 5S fixture (zeros dropped, ties: normal approximation).")

setup('
thirds <- read.csv("tests/data/survey_thirds.csv")
sb <- rowMeans(thirds[, c("b1", "b2", "b3")])
sf <- rowMeans(thirds[, c("f1", "f2", "f3")])
', "Survey fixture tests/data/survey_thirds.csv: construct scores are means of three items, so the differences are multiples of 1/3 and tie only up to floating-point noise.")

block("THIRDS_WILCOXON", '
d <- signif(sf - sb, 12)
wt <- suppressWarnings(wilcox.test(d))
list(statistic = wt$statistic[[1]], p_value = wt$p.value, estimate = median(sf - sb))
', "Wilcoxon signed rank on the differences rounded to 12 significant digits, so that 4 - 11/3 and 3 - 8/3 count as the tie they are.")

setup('
unmatched <- read.csv("tests/data/survey_unmatched.csv")
ub <- unmatched$score[unmatched$wave == "baseline"]
uf <- unmatched$score[unmatched$wave == "followup"]
', "Unmatched survey fixture tests/data/survey_unmatched.csv: 12 baseline and 9 follow-up construct scores with ties.")

block("UNMATCHED_WELCH", '
tt <- t.test(uf, ub)
g <- escalc(measure = "SMD", m1i = mean(uf), sd1i = sd(uf), n1i = length(uf),
            m2i = mean(ub), sd2i = sd(ub), n2i = length(ub))
list(statistic = tt$statistic[[1]], df = tt$parameter[[1]], p_value = tt$p.value,
     estimate = mean(uf) - mean(ub), ci_low = tt$conf.int[1], ci_high = tt$conf.int[2],
     effect_size = g$yi[1])
', "Welch t (follow-up minus baseline); effect size Hedges' g with the exact small-sample factor (metafor::escalc, SMD).")

block("UNMATCHED_MANN_WHITNEY", '
wt <- suppressWarnings(wilcox.test(uf, ub))
list(statistic = wt$statistic[[1]], p_value = wt$p.value,
     estimate = median(uf) - median(ub), exact = FALSE)
', "Mann-Whitney with ties: normal approximation with tie and continuity corrections.")

setup('
hw_x <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46)
hw_y <- c(1.15, 0.88, 0.90, 0.74, 1.21)
', "Hollander & Wolfe (1973, p. 69), the two-sample example of ?wilcox.test: x (10 values) and y (5 values), no ties.")

block("HW_MANN_WHITNEY_EXACT", '
wt <- wilcox.test(hw_x, hw_y)
list(statistic = wt$statistic[[1]], p_value = wt$p.value,
     estimate = median(hw_x) - median(hw_y), exact = TRUE)
', "Mann-Whitney exact branch (x is the 'after' sample).")

block("ROUNDING_FRIEDMAN", '
RoundingTimes <- matrix(c(5.40, 5.50, 5.55, 5.85, 5.70, 5.75, 5.20, 5.60, 5.50,
  5.55, 5.50, 5.40, 5.90, 5.85, 5.70, 5.45, 5.55, 5.60, 5.40, 5.40, 5.35, 5.45, 5.50, 5.35,
  5.25, 5.15, 5.00, 5.85, 5.80, 5.70, 5.25, 5.20, 5.10, 5.65, 5.55, 5.45, 5.60, 5.35, 5.45,
  5.05, 5.00, 4.95, 5.50, 5.50, 5.40, 5.45, 5.55, 5.50, 5.55, 5.55, 5.35, 5.45, 5.50, 5.55,
  5.50, 5.45, 5.25, 5.65, 5.60, 5.40, 5.70, 5.65, 5.55, 6.30, 6.30, 6.25),
  nrow = 22, byrow = TRUE)
ft <- friedman.test(RoundingTimes)
list(statistic = ft$statistic[[1]], df = ft$parameter[[1]], p_value = ft$p.value)
', "Friedman test, the RoundingTimes example of ?friedman.test (Hollander & Wolfe 1973, p. 140).")

block("FIVE_S_FRIEDMAN", '
audits <- as.matrix(read.csv("tests/data/five_s_three_audits.csv")[, -1])
ft <- friedman.test(audits)
list(statistic = ft$statistic[[1]], df = ft$parameter[[1]], p_value = ft$p.value,
     effect_size = ft$statistic[[1]] / (nrow(audits) * (ncol(audits) - 1)))
', "Friedman test with ties on tests/data/five_s_three_audits.csv (12 items x 3 audits); effect size Kendall's W = Q / (n (k - 1)).")

block("SURVEY_ALPHA", '
a <- na.omit(read.csv("tests/data/survey_alpha.csv")[, -1])
a$com4 <- 1 + 5 - a$com4      # reverse-coded item, scale 1-5
k <- ncol(a)
list(alpha = k / (k - 1) * (1 - sum(apply(a, 2, var)) / var(rowSums(a))), n = nrow(a))
', "Cronbach's alpha of tests/data/survey_alpha.csv (complete cases, com4 reverse-coded), from its definition with base R's var().")

# --------------------------------------------------------------------------- multiplicity

block("P_ADJUST", '
p <- read.csv("tests/data/p_values.csv")$p
as.list(c(setNames(p.adjust(p, "holm"), paste0("holm_", seq_along(p))),
          setNames(p.adjust(p, "BH"), paste0("bh_", seq_along(p)))))
', "Holm and Benjamini-Hochberg adjustments of tests/data/p_values.csv.")

block("P_ADJUST_PLANNED", '
p <- read.csv("tests/data/p_values.csv")$p
planned <- c(p, 1, 1)   # two planned primaries that could not be estimated count as p = 1
as.list(c(setNames(p.adjust(planned, "holm")[seq_along(p)], paste0("holm_", seq_along(p))),
          setNames(p.adjust(planned, "BH")[seq_along(p)], paste0("bh_", seq_along(p)))))
', "Plan v2: Holm and BH over the planned family, the p-values of tests/data/p_values.csv plus two primaries that were not estimable (p = 1).")

# --------------------------------------------------------------------------- plan v2: KPI

setup('
v2 <- function(fit, w) {
  cf <- coef(fit)
  cvec <- setNames(numeric(length(cf)), names(cf))
  cvec[names(w)] <- w
  b <- sum(cvec * cf)
  phi <- summary(fit)$dispersion
  vm <- vcov(fit) * max(1, phi) / phi
  n <- nobs(fit)
  lag <- floor(4 * (n / 100)^(2 / 9))
  vn <- NeweyWest(fit, lag = lag, prewhite = FALSE, adjust = TRUE)
  se_m <- sqrt(drop(t(cvec) %*% vm %*% cvec))
  se_n <- sqrt(drop(t(cvec) %*% vn %*% cvec))
  se <- max(se_m, se_n)
  list(estimate = exp(b), ci_low = exp(b - qnorm(0.975) * se),
       ci_high = exp(b + qnorm(0.975) * se), p_value = 2 * pnorm(-abs(b / se)), se = se,
       se_model = se_m, se_newey_west = se_n, dispersion = max(1, phi),
       raw_dispersion = phi, hac_lag = lag)
}
', 'Analysis plan version 2. v2(fit, w): the estimate exp(sum(w * b)) of a linear combination of coefficients with the larger of its model-based standard error (dispersion floored at 1) and its Newey-West one (sandwich::NeweyWest, lag floor(4 (n/100)^(2/9)), no prewhitening, small-sample factor), Wald interval and p on the normal quantile.')

block("SICILY_V2_LEVEL", '
its <- glm(aces ~ t + post + t_after + offset(log(stdpop)), family = quasipoisson,
           data = sicily, control = tight)
v2(its, c(post = 1))
', "Sicily, plan v2: its_level (here the model-based SE is the larger).")

block("SICILY_V2_EFFECT_END", '
v2(its, c(post = 1, t_after = max(sicily$t_after)))
', "Sicily, plan v2: its_effect_end = exp(b_post + b_t_after (t_last - t0)), t_last - t0 = 22.")

block("SICILY_V2_STEP", '
step <- glm(aces ~ post + offset(log(stdpop)), family = quasipoisson, data = sicily,
            control = tight)
v2(step, c(post = 1))
', "Sicily, plan v2: rate_ratio_step (here the Newey-West SE is the larger).")

block("KPI_V2_LEVEL", '
its_k <- glm(numerator ~ t + post + t_after + eid + offset(log(exposure)),
             family = quasipoisson, control = tight, data = kpi)
v2(its_k, c(post = 1))
', "KPI fixture, plan v2: its_level with the eid term.")

block("KPI_V2_SLOPE", '
v2(its_k, c(t_after = 1))
', "KPI fixture, plan v2: its_slope.")

block("KPI_V2_EFFECT_END", '
c(v2(its_k, c(post = 1, t_after = max(kpi$t_after))), span = max(kpi$t_after))
', "KPI fixture, plan v2: its_effect_end at the last month.")

block("KPI_V2_STEP", '
step <- glm(numerator ~ post + eid + offset(log(exposure)), family = quasipoisson, data = kpi,
            control = tight)
v2(step, c(post = 1))
', "KPI fixture, plan v2: rate_ratio_step with the eid term.")

block("KPI_V2_HARMONIC", '
its_kh <- glm(numerator ~ t + post + t_after + eid + HK + offset(log(exposure)),
              family = quasipoisson, control = tight, data = kpi)
v2(its_kh, c(post = 1))
', "KPI fixture, plan v2: its_level_harmonic (two sine/cosine pairs of the calendar month).")

block("KPI_V2_PHASE_IN", '
t0 <- 12
ph <- kpi[kpi$t < t0 | kpi$t >= t0 + 3, ]
ph$post <- as.numeric(ph$t >= t0 + 3)
ph$t_after <- pmax(0, ph$t - (t0 + 3))
its_p <- glm(numerator ~ t + post + t_after + eid + offset(log(exposure)),
             family = quasipoisson, control = tight, data = ph)
c(v2(its_p, c(post = 1)), n_pre = sum(ph$post == 0), n_post = sum(ph$post == 1))
', "KPI fixture, plan v2: its_level_phase_in (months t0, t0+1, t0+2 left out; post and t_after count from t0+3).")

block("KPI_V2_NO_EID", '
ne <- kpi[kpi$eid == 0, ]
its_n <- glm(numerator ~ t + post + t_after + offset(log(exposure)),
             family = quasipoisson, control = tight, data = ne)
c(v2(its_n, c(post = 1)), n_pre = sum(ne$post == 0), n_post = sum(ne$post == 1))
', "KPI fixture, plan v2: its_level_no_eid (Idul Fitri months left out, no eid term).")

block("KPI_V2_PLACEBO", '
pre <- kpi[kpi$post == 0, ]
tp <- min(pre$t) + floor(nrow(pre) / 2)
pre$post_p <- as.numeric(pre$t >= tp)
pre$t_after_p <- pmax(0, pre$t - tp)
pl <- glm(numerator ~ t + post_p + t_after_p + eid + offset(log(exposure)),
          family = quasipoisson, control = tight, data = pre)
c(v2(pl, c(post_p = 1)), tp = tp, n_pre = sum(pre$post_p == 0), n_post = sum(pre$post_p == 1))
', "KPI fixture, plan v2: placebo_level (months before the programme only; pretend start halfway).")

block("UNDERDISPERSED_V2_LEVEL", '
ud <- read.csv("tests/data/kpi_underdispersed.csv")
ud$t <- seq_len(nrow(ud)) - 1
ud$post <- as.numeric(ud$t >= 12)
ud$t_after <- pmax(0, ud$t - 12)
its_u <- glm(numerator ~ t + post + t_after + offset(log(exposure)), family = quasipoisson,
             control = tight, data = ud)
v2(its_u, c(post = 1))
', "Underdispersed fixture tests/data/kpi_underdispersed.csv (no Idul Fitri term: eid = False): the Pearson dispersion is below 1, so version 2 uses 1 (never narrower than Poisson).")

# --------------------------------------------------------------------------- pooling

setup('
pool <- read.csv("tests/data/pooling.csv")
ctl <- list(threshold = 1e-12, maxiter = 1000)
meta <- function(fit) {
  pr <- predict(fit)
  list(estimate = fit$b[[1]], ci_low = fit$ci.lb, ci_high = fit$ci.ub, p_value = fit$pval,
       se = fit$se, tau2 = fit$tau2, i2 = fit$I2, q = fit$QE, k = fit$k,
       pi_low = pr$pi.lb, pi_high = pr$pi.ub)
}
', "Pooling fixture tests/data/pooling.csv; meta() collects a metafor fit and its prediction interval. ctl: REML is iterated to a change of tau^2 below 1e-12 (metafor's default stops below 1e-5, which moves tau^2 in its 6th digit), so that the reference is the REML estimate itself; the published Kacker values (metafor's defaults) agree to about 1e-5.")

block("KACKER_META", '
y <- c(61.0, 61.4, 62.21, 62.3, 62.34, 62.6, 62.7, 62.84, 65.9)
v <- c(0.2025, 1.21, 0.09, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225)
kacker <- rma(y, v, method = "REML", test = "adhoc", control = ctl)
meta(kacker)
', "Kacker (2004) inter-laboratory data, plan v2: REML tau^2 and the Knapp-Hartung interval never narrower than the standard one (test = adhoc), on t(k-1).")

block("KACKER_WEIGHTS", '
as.list(setNames(weights(kacker), paste0("w", 1:9)))
', "Kacker data: the weight of each study in percent.")

leave1out_rows <- function(fit, name) {
  l1 <- leave1out(fit)
  for (i in seq_along(l1$estimate)) {
    block(sprintf("%s_%d", name, i), sprintf("
with(leave1out(%s), list(estimate = estimate[%d], ci_low = ci.lb[%d], ci_high = ci.ub[%d],
     p_value = pval[%d], tau2 = tau2[%d], i2 = I2[%d], q = Q[%d]))
", deparse(substitute(fit)), i, i, i, i, i, i, i), sprintf("Leave-one-out, study %d left out.", i))
  }
}
leave1out_rows(kacker, "KACKER_LOO")

block("LOG_RR_META", '
s <- pool[pool$set == "log_rate_ratio", ]
meta(rma(s$yi, s$vi, method = "REML", test = "adhoc", control = ctl))
', "Five log rate ratios (the scale its_level is pooled on), plan v2.")

block("HOMOGENEOUS_META", '
s <- pool[pool$set == "homogeneous", ]
homog <- rma(s$yi, s$vi, method = "REML", test = "adhoc", control = ctl)
c(meta(homog), knha_ci_low = rma(s$yi, s$vi, method = "REML", test = "knha", control = ctl)$ci.lb)
', "Four homogeneous effects: Q < k - 1, where the plain Knapp-Hartung interval would be narrower than the standard one; adhoc keeps the standard width.")

# --------------------------------------------------------------------------- plan v3: KPI

setup('
v3 <- function(fit, w) {
  cf <- coef(fit)
  cvec <- setNames(numeric(length(cf)), names(cf))
  cvec[names(w)] <- w
  b <- sum(cvec * cf)
  phi <- summary(fit)$dispersion
  vm <- vcov(fit) * max(1, phi) / phi
  n <- nobs(fit)
  df <- df.residual(fit)
  lag <- floor(4 * (n / 100)^(2 / 9))
  vn <- NeweyWest(fit, lag = lag, prewhite = FALSE, adjust = TRUE)
  se_m <- sqrt(drop(t(cvec) %*% vm %*% cvec))
  se_n <- sqrt(drop(t(cvec) %*% vn %*% cvec))
  se <- max(se_m, se_n)
  list(estimate = exp(b), ci_low = exp(b - qt(0.975, df) * se),
       ci_high = exp(b + qt(0.975, df) * se), p_value = 2 * pt(-abs(b / se), df), se = se,
       se_model = se_m, se_newey_west = se_n, df = df, dispersion = max(1, phi),
       raw_dispersion = phi, hac_lag = lag)
}
', 'Analysis plan version 3. v3(fit, w): as v2() (the larger of the model-based standard error, dispersion floored at 1, and the Newey-West one), with the interval and p on the t distribution with the residual degrees of freedom df = n - p, as summary.glm does for quasi-families: exp(b +/- qt(0.975, df) se), 2 pt(-|b/se|, df).')

block("SICILY_V3_EFFECT_END", '
its <- glm(aces ~ t + post + t_after + offset(log(stdpop)), family = quasipoisson,
           data = sicily, control = tight)
v3(its, c(post = 1, t_after = max(sicily$t_after)))
', "Sicily, plan v3: its_effect_end = exp(b_post + 22 b_t_after), the primary, on t with 59 - 4 = 55 df.")

block("SICILY_V3_LEVEL", '
v3(its, c(post = 1))
', "Sicily, plan v3: its_level = exp(b_post).")

block("SICILY_V3_SLOPE", '
v3(its, c(t_after = 1))
', "Sicily, plan v3: its_slope = exp(b_t_after).")

block("SICILY_V3_STEP", '
step <- glm(aces ~ post + offset(log(stdpop)), family = quasipoisson, data = sicily,
            control = tight)
v3(step, c(post = 1))
', "Sicily, plan v3: rate_ratio_step on t with 57 df.")

block("KPI_V3_EFFECT_END", '
its_k <- glm(numerator ~ t + post + t_after + eid + offset(log(exposure)),
             family = quasipoisson, control = tight, data = kpi)
c(v3(its_k, c(post = 1, t_after = max(kpi$t_after))), span = max(kpi$t_after),
  n_pre = sum(kpi$post == 0), n_post = sum(kpi$post == 1))
', "KPI fixture, plan v3: its_effect_end with the eid term (the primary).")

block("KPI_V3_LEVEL", '
v3(its_k, c(post = 1))
', "KPI fixture, plan v3: its_level.")

block("KPI_V3_SLOPE", '
v3(its_k, c(t_after = 1))
', "KPI fixture, plan v3: its_slope.")

block("KPI_V3_HARMONIC", '
its_kh <- glm(numerator ~ t + post + t_after + eid + HK + offset(log(exposure)),
              family = quasipoisson, control = tight, data = kpi)
v3(its_kh, c(post = 1, t_after = max(kpi$t_after)))
', "KPI fixture, plan v3: its_effect_end_harmonic (two sine/cosine pairs of the calendar month).")

block("KPI_V3_PHASE_IN", '
t0 <- 12
ph <- kpi[kpi$t < t0 | kpi$t >= t0 + 3, ]
ph$post <- as.numeric(ph$t >= t0 + 3)
ph$t_after <- pmax(0, ph$t - (t0 + 3))
its_p <- glm(numerator ~ t + post + t_after + eid + offset(log(exposure)),
             family = quasipoisson, control = tight, data = ph)
c(v3(its_p, c(post = 1, t_after = max(ph$t) - (t0 + 3))), n_pre = sum(ph$post == 0),
  n_post = sum(ph$post == 1))
', "KPI fixture, plan v3: its_effect_end_phase_in (months t0, t0+1, t0+2 left out; post and t_after count from t0+3; the effect at the last month, t_last - (t0 + 3) months after t0 + 3).")

block("KPI_V3_NO_EID", '
ne <- kpi[kpi$eid == 0, ]
its_n <- glm(numerator ~ t + post + t_after + offset(log(exposure)),
             family = quasipoisson, control = tight, data = ne)
c(v3(its_n, c(post = 1, t_after = max(ne$t_after))), n_pre = sum(ne$post == 0),
  n_post = sum(ne$post == 1))
', "KPI fixture, plan v3: its_effect_end_no_eid (Idul Fitri months left out, no eid term).")

block("KPI_V3_PLACEBO", '
pre <- kpi[kpi$post == 0, ]
tp <- min(pre$t) + floor(nrow(pre) / 2)
pre$post_p <- as.numeric(pre$t >= tp)
pre$t_after_p <- pmax(0, pre$t - tp)
pl <- glm(numerator ~ t + post_p + t_after_p + eid + offset(log(exposure)),
          family = quasipoisson, control = tight, data = pre)
c(v3(pl, c(post_p = 1, t_after_p = max(pre$t) - tp)), tp = tp,
  n_pre = sum(pre$post_p == 0), n_post = sum(pre$post_p == 1))
', "KPI fixture, plan v3: placebo_effect_end (months before the programme only; pretend start tp = t_first + floor(n_pre / 2); the effect at the last month before t0: exp(b_post_p + b_t_after_p (t_last_pre - tp))).")

block("KPI_V3_STEP", '
step <- glm(numerator ~ post + eid + offset(log(exposure)), family = quasipoisson, data = kpi,
            control = tight)
v3(step, c(post = 1))
', "KPI fixture, plan v3: rate_ratio_step with the eid term.")

block("UNDERDISPERSED_V3_EFFECT_END", '
v3(its_u, c(post = 1, t_after = max(ud$t_after)))
', "Underdispersed fixture, plan v3: its_effect_end (dispersion floored at 1).")

setup('
tj <- read.csv("tests/data/kpi_tjokro.csv")
idx_tj <- as.integer(substr(tj$month, 1, 4)) * 12 + as.integer(substr(tj$month, 6, 7)) - 1
tj$t <- idx_tj - min(idx_tj)
tj$post <- as.numeric(tj$month >= "2010-04")
tj$t_after <- pmax(0, tj$t - tj$t[tj$month == "2010-04"])
', "One shipped enterprise, tests/data/kpi_tjokro.csv (PT Tjokro Bersaudara, simulated; made by tests/r/make_tjokro_fixture.py): absences over scheduled workdays and suggestions over headcount, intervention 2010-04, eid = 1 in the Idul Fitri months 2009-09 and 2010-09.")

block("TJOKRO_V3_ABSENT_EFFECT_END", '
absent <- glm(workdays_absent ~ t + post + t_after + eid + offset(log(workdays_scheduled)),
              family = quasipoisson, control = tight, data = tj)
c(v3(absent, c(post = 1, t_after = max(tj$t_after))), span = max(tj$t_after))
', "Tjokro absenteeism, plan v3: its_effect_end on t with 25 - 5 = 20 df.")

block("TJOKRO_V3_ABSENT_LEVEL", '
v3(absent, c(post = 1))
', "Tjokro absenteeism, plan v3: its_level (p 0.0041 on the normal quantile in plan v2, 0.0094 on t).")

block("TJOKRO_V3_ABSENT_SLOPE", '
v3(absent, c(t_after = 1))
', "Tjokro absenteeism, plan v3: its_slope.")

block("TJOKRO_SUGGESTIONS_EXACT", '
x_b <- sum(tj$suggestions_submitted[tj$post == 0])
x_a <- sum(tj$suggestions_submitted[tj$post == 1])
e_b <- sum(tj$headcount[tj$post == 0])
e_a <- sum(tj$headcount[tj$post == 1])
pt_tj <- poisson.test(c(x_a, x_b), c(e_a, e_b))
list(estimate = pt_tj$estimate[[1]], ci_low = pt_tj$conf.int[1], ci_high = pt_tj$conf.int[2],
     p_value = pt_tj$p.value, before = x_b, after = x_a, pre_value = 100 * x_b / e_b,
     post_value = 100 * x_a / e_a)
', "Tjokro suggestions, plan v3: too few events before (5) for a model, so rate_ratio_exact = poisson.test(c(x_after, x_before), c(E_after, E_before)); rates per 100 workers a month.")

block("POISSON_EXACT", '
pe <- poisson.test(c(67, 5), c(1720, 2520))
list(estimate = pe$estimate[[1]], ci_low = pe$conf.int[1], ci_high = pe$conf.int[2],
     p_value = pe$p.value)
', "Exact comparison of two Poisson rates (reference-data README): 67 events in 1,720 exposure units after, 5 in 2,520 before.")

block("POISSON_EXACT_NONE_BEFORE", '
pn <- poisson.test(c(8, 0), c(1000, 1200))
list(ci_low = pn$conf.int[1], p_value = pn$p.value, estimate_is_inf = is.infinite(pn$estimate[[1]]),
     ci_high_is_inf = is.infinite(pn$conf.int[2]))
', "No event before: the ratio and its upper limit are infinite, the lower limit finite.")

block("POISSON_EXACT_NONE_AFTER", '
pz <- poisson.test(c(0, 3), c(1000, 900))
list(estimate = pz$estimate[[1]], ci_low = pz$conf.int[1], ci_high = pz$conf.int[2],
     p_value = pz$p.value)
', "No event after: the ratio and its lower limit are 0.")

block("P_ADJUST_CONFIRMATORY", '
p <- c(0.0125, 0.00139, 0.000233, 0.19, 0.0026)
planned <- c(p, 1)   # the sixth confirmatory outcome could not be estimated: p = 1
as.list(c(setNames(p.adjust(planned, "holm")[1:5], paste0("holm_", 1:5)),
          setNames(p.adjust(planned, "BH")[1:5], paste0("bh_", 1:5))))
', "Plan v3: Holm and BH over one enterprise's six confirmatory outcomes, one of them not estimable (insufficient_data, counted with p = 1).")

# --------------------------------------------------------------------------- plan v3: pooling

setup('
meta3 <- function(fit) {
  half <- qt(0.975, fit$k - 2) * sqrt(fit$tau2 + fit$se^2)
  pr <- predict(fit)
  list(estimate = fit$b[[1]], ci_low = fit$ci.lb, ci_high = fit$ci.ub, p_value = fit$pval,
       se = fit$se, tau2 = fit$tau2, i2 = fit$I2, q = fit$QE, k = fit$k,
       pi_low = fit$b[[1]] - half, pi_high = fit$b[[1]] + half,
       pi_low_k1 = pr$pi.lb, pi_high_k1 = pr$pi.ub)
}
', "Plan v3: meta3() collects a metafor fit with the prediction interval of Higgins, Thompson & Spiegelhalter (2009) on k - 2 degrees of freedom, res$b +/- qt(0.975, k - 2) sqrt(tau2 + se^2), with the adhoc (Knapp-Hartung) se (pi_low, pi_high); metafor's predict() uses k - 1 (pi_low_k1, pi_high_k1).")

block("KACKER_V3", '
meta3(kacker)
', "Kacker data, plan v3: rma(REML, test = adhoc), prediction interval on k - 2 = 7 df.")

block("KACKER_LOO_V3_PI", '
loo_pi <- sapply(seq_along(y), function(i)
  unlist(meta3(rma(y[-i], v[-i], method = "REML", test = "adhoc", control = ctl))[
    c("pi_low", "pi_high")]))
as.list(c(setNames(loo_pi["pi_low", ], paste0("pi_low_", seq_along(y))),
          setNames(loo_pi["pi_high", ], paste0("pi_high_", seq_along(y)))))
', "Kacker data, plan v3: the k - 2 prediction interval of each leave-one-out refit (metafor's leave1out() gives the k - 1 one).")

block("LOG_RR_V3", '
s <- pool[pool$set == "log_rate_ratio", ]
meta3(rma(s$yi, s$vi, method = "REML", test = "adhoc", control = ctl))
', "Five log rate ratios, plan v3 (k - 2 = 3 df).")

block("SBP_V3", '
sbp_y <- c(0, 0.1, -0.4, -0.8, -0.63, 0.22, -0.34, -0.51, 0.03, -0.81)
sbp_se <- c(0.42347717, 0.21939179, 0.02551067, 0.19898325, 0.30102594, 0.30102594,
            0.07142988, 0.10204269, 0.12245123, 0.30102594)
meta3(rma(sbp_y, sei = sbp_se, method = "REML", test = "adhoc", control = ctl))
', "The ten hypothetical blood-pressure trials of Riley, Higgins & Deeks (BMJ 2011;342:d549) as shipped in the R package pimeta (sbp): REML, adhoc, the k - 2 = 8 df prediction interval. Published (pimeta): mean -0.3287403, PI -0.9886995 to 0.3312188, tau2 0.06995102.")

cat('"""Independent reference values for the tests, computed with R.

Generated by ``Rscript tests/r/reference.R > tests/reference_values.py`` (R 4.2.2,
sandwich 3.0-2, lmtest 0.9-40, metafor 3.8-1); do not edit by hand.  Each value follows the
R code that produced it (lines starting ``# R>``).  The tests import these dicts and never
run R.
"""

# ruff: noqa: E501
', sep = "")
cat(out, sep = "\n")
cat("\n")

# =========================================================================================
# Controlled interrupted time series (stats/cits.py). A self-contained section: it prints
# its own blocks after the rest of the file.
# =========================================================================================

out <- character()

setup('
cits_monthly <- read.csv("tests/data/cits_monthly.csv")
cits_ent <- read.csv("tests/data/cits_enterprises.csv", colClasses = "character")
mnum <- function(m) as.integer(substr(m, 1, 4)) * 12 + as.integer(substr(m, 6, 7)) - 1
cits_stack <- function(e, ind) {
  mine <- cits_monthly[cits_monthly$enterprise_id == e, ]
  first <- min(mnum(mine$month))
  last <- max(mnum(mine$month))
  t0 <- mnum(cits_ent$intervention_month[cits_ent$enterprise_id == e]) - first
  others <- cits_ent[cits_ent$enterprise_id != e, ]
  pool <- others$enterprise_id[which(others$role == "comparison" |
                                     mnum(others$intervention_month) > last)]
  own <- cits_monthly[cits_monthly$enterprise_id == e & cits_monthly$indicator == ind, ]
  comp <- aggregate(cbind(numerator, exposure) ~ month, FUN = sum,
                    data = cits_monthly[cits_monthly$enterprise_id %in% pool &
                                        cits_monthly$indicator == ind, ])
  common <- sort(intersect(own$month, comp$month))
  cols <- c("month", "numerator", "exposure")
  stacked <- rbind(cbind(own[match(common, own$month), cols], s = 1),
                   cbind(comp[match(common, comp$month), cols], s = 0))
  stacked$t <- mnum(stacked$month) - first
  stacked$post <- as.numeric(stacked$t >= t0)
  stacked$t_after <- pmax(0, stacked$t - t0)
  stacked
}
cits_glm <- function(stacked) {
  glm(numerator ~ factor(month) + s + s:t + s:post + s:t_after + offset(log(exposure)),
      family = quasipoisson, data = stacked, control = tight)
}
cits_lag <- function(stacked) floor(4 * (length(unique(stacked$t)) / 100)^(2 / 9))
cits_values <- function(fit, cc, L) {
  disp <- summary(fit)$dispersion
  phi <- max(1, disp)
  Vm <- vcov(fit)[names(cc), names(cc), drop = FALSE] * phi / disp
  Vp <- vcovPL(fit, cluster = ~ s, order.by = ~ t, lag = L,
               adjust = TRUE)[names(cc), names(cc), drop = FALSE]
  b <- sum(cc * coef(fit)[names(cc)])
  se_model <- sqrt(drop(cc %*% Vm %*% cc))
  se_newey_west <- sqrt(drop(cc %*% Vp %*% cc))
  se <- max(se_model, se_newey_west)
  df <- df.residual(fit)
  list(estimate = exp(b), ci_low = exp(b - qt(0.975, df) * se),
       ci_high = exp(b + qt(0.975, df) * se), p_value = 2 * pt(-abs(b / se), df), se = se,
       se_model = se_model, se_newey_west = se_newey_west, dispersion = phi,
       raw_dispersion = disp, df = df, hac_lag = L, n = nobs(fit))
}
', 'Controlled interrupted time series (Lopez Bernal, Cummins & Gasparrini 2018, Int J Epidemiol 47:2082-2093), fixture tests/data/cits_monthly.csv and cits_enterprises.csv: simulated counts (negative binomial) of e1 (programme from 2010-04), two comparison enterprises c1, c2, a programme enterprise p2 starting 2011-06 (after e1\'s last month 2011-04: in e1\'s comparison pool) and p3 starting 2010-10 (not in it), with a common shock in 2010-06 to 2010-12. cits_stack(): the comparison pool, the comparison series (sums over the members reporting each month) and the stacked rows on the months where both series are present (e1 lacks reject_rate in 2010-07; no comparison enterprise reports in 2011-01; c1 lacks 2009-09). cits_values(): the estimate exp(c\'b), the larger of the model-based SE (dispersion floored at 1) and the panel Newey-West SE sandwich::vcovPL(cluster = ~ s, order.by = ~ t, lag = L, adjust = TRUE), t interval and p with df = n - p.')

block("CITS_REJECT_STACKED", '
reject <- cits_stack("e1", "reject_rate")
list(rows = nrow(reject), months = length(unique(reject$month)),
     comparison_numerator = sum(reject$numerator[reject$s == 0]),
     comparison_exposure = sum(reject$exposure[reject$s == 0]),
     own_numerator = sum(reject$numerator[reject$s == 1]), t_last = max(reject$t),
     t0 = min(reject$t[reject$post == 1]))
', "The stacked rows of e1's reject rate: their number and the sums of each series.")

block("CITS_REJECT_EFFECT_END", '
reject_fit <- cits_glm(reject)
L <- cits_lag(reject)
span <- max(reject$t_after)
cits_values(reject_fit, c("s:post" = 1, "s:t_after" = span), L)
', "cits_effect_end of e1's reject rate: exp(b_s:post + b_s:t_after (t_last - t0)).")

block("CITS_REJECT_LEVEL", '
cits_values(reject_fit, c("s:post" = 1), L)
', "cits_level: exp(b_s:post).")

block("CITS_REJECT_SLOPE", '
cits_values(reject_fit, c("s:t_after" = 1), L)
', "cits_slope: exp(b_s:t_after).")

block("CITS_REJECT_TERMS", '
Vp <- vcovPL(reject_fit, cluster = ~ s, order.by = ~ t, lag = L, adjust = TRUE)
terms <- c("(Intercept)", "factor(month)2010-06", "s", "s:t", "s:post", "s:t_after")
c(setNames(as.list(coef(reject_fit)[terms]), paste0("b ", terms)),
  setNames(as.list(sqrt(diag(vcov(reject_fit)))[terms]), paste0("se_unfloored ", terms)),
  setNames(as.list(sqrt(diag(Vp))[terms]), paste0("se_panel ", terms)),
  list(iterations = reject_fit$iter))
', "Single coefficients of the same fit in R's names (treatment contrasts for the months): estimates, model-based SEs with the raw dispersion (here above 1, so the floor does not bind), panel Newey-West SEs.")

block("CITS_REJECT_EFFECT_END_LAG6", '
cits_values(reject_fit, c("s:post" = 1, "s:t_after" = span), 6)
', "cits_effect_end with a fixed lag of 6 (settings newey_west_lag = 6): more lags of the panel Newey-West sum, across the two months without both series.")

block("CITS_ACCIDENTS_EFFECT_END", '
accidents <- cits_stack("e1", "accident_frequency")
accidents_fit <- cits_glm(accidents)
La <- cits_lag(accidents)
cits_values(accidents_fit, c("s:post" = 1, "s:t_after" = max(accidents$t_after)), La)
', "cits_effect_end of e1's accident frequency. In 2010-11 no enterprise had an accident: that month's effect runs to minus infinity and R stops where its fitted counts are about 1e-12; the month still counts in n and p (df).")

block("CITS_ACCIDENTS_LEVEL", '
c(cits_values(accidents_fit, c("s:post" = 1), La),
  list(fitted_in_empty_month = max(fitted(accidents_fit)[accidents$month == "2010-11"])))
', "cits_level of the accident frequency, and the largest fitted count R leaves in the empty month.")

setup('
kpi <- read.csv("data/raw/kpi_monthly.csv")
pairs <- list(labour_productivity = c("output_units", "worker_hours"),
              reject_rate = c("units_rejected", "units_produced"),
              rework_rate = c("units_reworked", "units_produced"),
              absenteeism_rate = c("workdays_absent", "workdays_scheduled"),
              suggestion_rate = c("suggestions_submitted", "headcount"),
              implementation_rate = c("suggestions_implemented", "suggestions_submitted"),
              accident_frequency = c("accidents", "worker_hours"),
              turnover_rate = c("separations", "headcount"))
cits_monthly <- do.call(rbind, lapply(names(pairs), function(ind) {
  num <- kpi[[pairs[[ind]][1]]]
  expo <- kpi[[pairs[[ind]][2]]]
  keep <- !is.na(num) & !is.na(expo) & expo > 0
  data.frame(enterprise_id = kpi$enterprise_id[keep], indicator = ind,
             month = kpi$month[keep], numerator = num[keep], exposure = expo[keep])
}))
cits_ent <- read.csv("data/raw/enterprises.csv", colClasses = "character")
', "The shipped demonstration data (data/raw, docs/demo_data.md: five programme enterprises from 2010-04, three comparison enterprises, a 2010 shock hitting all): the monthly indicators (a month whose numerator is blank or whose exposure is blank or zero is left out of that indicator) replace the fixture in cits_stack(), whose first and last months are those of the enterprise over every indicator.")

block("CITS_SHIPPED_TJOKRO_PRODUCTIVITY_EFFECT_END", '
productivity <- cits_stack("tjokro_bersaudara", "labour_productivity")
productivity_fit <- cits_glm(productivity)
Ls <- cits_lag(productivity)
cits_values(productivity_fit, c("s:post" = 1, "s:t_after" = max(productivity$t_after)), Ls)
', "Shipped data: cits_effect_end of PT Tjokro Bersaudara's labour productivity against the comparison series of cmp_001-cmp_003.")

block("CITS_SHIPPED_TJOKRO_PRODUCTIVITY_LEVEL", '
cits_values(productivity_fit, c("s:post" = 1), Ls)
', "Shipped data: cits_level of the same fit.")

block("CITS_SHIPPED_TJOKRO_PRODUCTIVITY_SLOPE", '
cits_values(productivity_fit, c("s:t_after" = 1), Ls)
', "Shipped data: cits_slope of the same fit.")

cat(out, sep = "\n")
cat("\n")

# =========================================================================================
# Calibration study (score_analysis/calibration/alternatives.py): the alternative standard
# errors. A self-contained section: it prints its own blocks after the rest of the file.
# =========================================================================================

out <- character()

block("CALIBRATION_GLS_AR1_SICILY", '
sicily_log <- transform(sicily, log_rate = log(aces / stdpop))
gls_fit <- nlme::gls(log_rate ~ t + post + t_after, data = sicily_log,
                     correlation = nlme::corAR1(), method = "REML")
b <- coef(gls_fit)
c(setNames(as.list(b), paste0("b ", names(b))),
  setNames(as.list(sqrt(diag(vcov(gls_fit)))), paste0("se ", names(b))),
  list(rho = unname(coef(gls_fit$modelStruct$corStruct, unconstrained = FALSE)),
       sigma = gls_fit$sigma, df = nrow(sicily_log) - length(b)))
', "Alternative gls_ar1: the Sicily log rate regressed on the segmented terms by generalised least squares with AR(1) errors, fitted by REML (nlme 3.1); coefficients, standard errors, the autocorrelation and the residual standard deviation.")

block("CALIBRATION_NEWEY_WEST_SICILY", '
its_fit <- glm(aces ~ t + post + t_after + offset(log(stdpop)), family = quasipoisson,
               data = sicily, control = tight)
wide <- floor(1.3 * sqrt(nobs(its_fit)))
half <- ceiling(nobs(its_fit) / 2) - 1
Vw <- NeweyWest(its_fit, lag = wide, prewhite = FALSE, adjust = TRUE)
Vh <- NeweyWest(its_fit, lag = half, prewhite = FALSE, adjust = TRUE)
list(wide_lag = wide, half_lag = half,
     se_post_wide = sqrt(Vw["post", "post"]), se_t_after_wide = sqrt(Vw["t_after", "t_after"]),
     se_post_half = sqrt(Vh["post", "post"]), se_t_after_half = sqrt(Vh["t_after", "t_after"]))
', "Alternatives nw_wide and fixed_b_half: Newey-West standard errors of the Sicily segmented model at the lags floor(1.3 sqrt(n)) and ceiling(n/2) - 1.")

cat(out, sep = "\n")
cat("\n")
