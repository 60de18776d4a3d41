"""Leaf helpers every layer may use: processes, files, units, logging. They import nothing above."""
