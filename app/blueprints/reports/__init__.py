"""Reports (platform-wide and per offering, CSV) and the printable investor statement."""
