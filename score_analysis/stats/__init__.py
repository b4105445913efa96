"""The statistics room: pure numerics, no files, no translated words.

- :mod:`.indicators` — the indicator declarations and the monthly rates, 5S and survey scores;
- :mod:`.rate_model` — the quasi-Poisson rate model of a monthly indicator (data, fit,
  covariances, inference);
- :mod:`.its` — the rows of the segmented (interrupted time series) models;
- :mod:`.models` — the model functions in one import, for researchers and the appendix;
- :mod:`.comparisons` — the tests of the 5S audits and the worker survey;
- :mod:`.analysis` — the results table of one enterprise;
- :mod:`.pooling` — random-effects pooling across enterprises;
- :mod:`.risk_of_bias` — the risk-of-bias judgements, answered from the data;
- :mod:`.decisions` — the significance level, the multiplicity family and direction;
- :mod:`.outputs` — the columns of the output tables.

May import :mod:`score_analysis.data` (its declarations) and
:mod:`score_analysis.settings`; never :mod:`score_analysis.report` or
:mod:`score_analysis.build`.
"""
