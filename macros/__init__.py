"""VBA source and ribbon XML of the Excel add-in (`thidua.xlam`), built by macros/addin_build.py."""
