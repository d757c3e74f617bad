"""Shared test helpers: the fixed cast of staff users and small assertions."""
