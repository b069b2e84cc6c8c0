"""Skeleton: the effects of the vision flows (issue 4)."""
