"""VBA source and ribbon XML of the Excel add-in (`thidua.xlam`), built by xl_addin/addin_build.py."""
