"""score-analysis: impact assessment of the ILO SCORE Module 1 pilot (Indonesia, 2010).

The package holds the data contract, validation, indicators, statistics and
report pieces; :mod:`score_analysis.build` ties them together and
:mod:`score_analysis.cli` is the command line.
"""

__version__ = "0.1.0"
