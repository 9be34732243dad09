"""The results store: one SQLite file of finished runs, the single source of truth.

- :mod:`~theorycheck.store.files`: opening the file (paths, read-only stores, corrupt files
  moved aside);
- :mod:`~theorycheck.store.results`: :class:`ResultStore`, rows with checksums;
- :mod:`~theorycheck.store.leases`: leases, so that processes sharing a store compute each
  run once.
"""

from theorycheck.store.files import DEFAULT_PATH, ENV, StoreError, StoreWarning
from theorycheck.store.leases import Leases, lease_ttl
from theorycheck.store.results import ResultStore, opened, row_checksum, run_key

__all__ = ["DEFAULT_PATH", "ENV", "Leases", "ResultStore", "StoreError", "StoreWarning",
           "lease_ttl", "opened", "row_checksum", "run_key"]
