"""Treatments: what happens to a sensitive value on its way to a CDR topic."""
