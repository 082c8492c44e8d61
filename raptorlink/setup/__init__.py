"""PowerSchool Setup: the district's connection, the plugin, its schools' write-back settings and its logs, as
pages of the console (tabs as PowerSchool integrators arrange them)."""
