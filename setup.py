"""The packages of score-analysis (the rest of the packaging is in pyproject.toml).

Every ``score_analysis`` package, and the top-level ``notebooks/`` folder installed as
``score_analysis.notebooks``: researchers open the notebooks where they are, the pipeline
reads the same files with :mod:`importlib.resources`, installed or not.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["score_analysis", "score_analysis.*"]),
                "score_analysis.notebooks"],
      package_dir={"score_analysis.notebooks": "notebooks"})
