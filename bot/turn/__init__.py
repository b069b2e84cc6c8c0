"""One turn per update: the pipeline (turns), the effects flows ask of the database, and
the flood guard in front of it."""
