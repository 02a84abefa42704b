"""Tools for curators and interviewers: scaffolding, live validation, kits, Anki, calibration.

Only :mod:`app.authoring.watch` imports Textual; the rest is core and stays import-light.
"""
