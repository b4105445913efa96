"""The statistics room: pure numerics, no files, no translated words.

Every function that makes a choice of the analysis plan takes it from the
:class:`~score_analysis.settings.AnalysisSettings` passed as ``settings=`` (default: the
shipped plan, ``settings.PLAN``).

- :mod:`.indicators` — the indicator declarations and the monthly rates, 5S and survey scores;
- :mod:`.rate_model` — the quasi-Poisson rate model of a monthly indicator (data, fit,
  covariances, t inference);
- :mod:`.its` — the rows of the segmented (interrupted time series) models;
- :mod:`.exact` — the exact comparison of two Poisson rates (sparse counts);
- :mod:`.models` — the model functions in one import, and ``fit_its`` for researchers;
- :mod:`.comparisons` — the tests of the 5S audits and the worker survey;
- :mod:`.five_s`, :mod:`.survey` — the 5S rows, and the survey rows, attrition and
  reliability;
- :mod:`.rows` — the columns of a results row and how one is assembled;
- :mod:`.analysis` — the results table of one enterprise (the primary-row chain, the place
  where the controlled design's rows enter);
- :mod:`.decisions` — the significance level, Holm and BH, the confirmatory family, the good
  direction, the sign of a change and direction;
- :mod:`.pooling` — random-effects pooling across enterprises;
- :mod:`.robustness` — "How robust is this?" as data;
- :mod:`.risk_of_bias` — the EPOC risk-of-bias judgements as codes, answered from the data;
- :mod:`.notes` — note codes and their English text;
- :mod:`.outputs` — the columns of the output tables and the methods' names.

May import :mod:`score_analysis.data` (its declarations) and
:mod:`score_analysis.settings`; never :mod:`score_analysis.report`,
:mod:`score_analysis.build` or :mod:`score_analysis.i18n`.
"""
