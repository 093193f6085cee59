"""The standard reporting workbook: its layout, the builder that writes it, the readers."""
