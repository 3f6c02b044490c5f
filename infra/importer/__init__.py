"""Import of the core system's export files (CSV) into the portal's tables; see runner.py and
docs/import-formats.md. `python -m infra import KIND FILE`."""

from .formats import FORMATS
from .runner import Counts, Importer, ImportFileError, WriteFailed

__all__ = ["FORMATS", "Counts", "ImportFileError", "Importer", "WriteFailed"]
