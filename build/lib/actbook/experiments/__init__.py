"""The experiments the chapters run, one module per chapter, each with unit tests.

Notebooks call these functions and show their results; nothing a notebook defines is needed
elsewhere.
"""
