"""shutdownlint: a linter for Python shutdown bugs."""

__version__ = "0.1.0"
