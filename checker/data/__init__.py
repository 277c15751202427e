"""Bulk interactions data: the one-pass checker behind PL601-PL609 (and PL406's event types).

* ``engine.scan(locations, fields=..., as_of=..., options=ScanOptions(...)) -> ScanResult``
  expands files, globs, folders and ``s3://`` locations (``sources``) and checks them in one
  streaming pass; ``engine.scan_files`` takes already expanded ``sources.DataFile`` objects.
* ``result`` holds the typed result (``ScanResult``, ``Tally``, ``Position``, ...); it is cheap
  to import. The engine imports polars and numpy only when data is actually scanned.
* ``chunks`` cuts a byte stream at record boundaries; ``duplicates`` finds exact duplicate rows
  in bounded memory; ``progress`` draws the stderr progress bar.
* ``engine_choice`` holds the run's engine choice (``--engine local|dask``, ``[data]``) and
  the active session; ``engines.using`` opens it. With Dask, ``engine.scan_files`` hands
  the files to ``dask_engine``, which runs the same per-file scan on the workers and
  merges the results (the only module that imports Dask).
"""
