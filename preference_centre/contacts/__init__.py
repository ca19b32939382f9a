"""People imported from lists: reading the file (``csvfile``), checking each row (``rows``),
importing under the consent rules (``importer``), and ``flask contacts import`` (``cli``)."""
