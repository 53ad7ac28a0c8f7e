"""Deterministic sample-data generator writing the landing-zone layout (README, Extracts)."""
