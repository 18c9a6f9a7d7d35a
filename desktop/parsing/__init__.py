"""Ceilings on parsing untrusted files (evidence and reports alike): the limits, the checks made before a
file is opened, and the child process that parses under a memory and a time limit. Qt-free; it imports
nothing of ``desktop.claims`` or ``desktop.evidence`` (they hand it the functions to run)."""
