"""The notebooks of score-analysis, installed with the package as ``score_analysis.notebooks``
(the pipeline reads them with :mod:`importlib.resources`; open them here in JupyterLab)."""
