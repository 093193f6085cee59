"""The front ends: the Excel buttons (`handlers.py`), the `thidua` command line, the demo, and
the use cases both front ends call."""

__version__ = "0.1.0"
