"""Paper plug-ins: each module pairs a paper's claims (bounds) with its simulators."""
