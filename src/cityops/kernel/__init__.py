"""Kernel: ids, clock, errors, the Event base and the Actor. Imports nothing of cityops."""
