"""Team mode: history synced through a PostgreSQL server, and calibration over a team."""
