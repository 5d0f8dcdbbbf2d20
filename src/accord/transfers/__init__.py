"""Equipment transfers and their legal cover (PURE): cases, item categories and the agreements
they need, and the coverage check. No I/O beyond reading this package's own data file."""
