from tests.reports.conftest import db, keys

__all__ = ["db", "keys"]
