"""Incident register: breach clocks under APPI, GDPR and California law, affected people, notices."""
