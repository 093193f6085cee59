"""thidua: the core logic (plain data in, plain data out) and the Excel button handlers."""

__version__ = "0.1.0"
