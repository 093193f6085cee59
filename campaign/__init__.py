"""The core: the campaign definition, its rules and everything computed from plain data (no I/O library)."""
