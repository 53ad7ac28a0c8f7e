"""Deterministic sample-data generator writing the landing-zone layout of SPEC section 4."""
