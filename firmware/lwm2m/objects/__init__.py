# Generated object tables (tables.py, `make tables`) and, later, the standard objects.
