"""Judging: the method table, the progress engine, the retrospective and the consistency audit."""
