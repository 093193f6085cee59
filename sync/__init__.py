"""Moving unit reports between units and the consolidator: shared folder and Google Sheets."""
