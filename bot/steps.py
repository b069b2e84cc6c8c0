"""Skeleton: the effects of the steps flows (issue 4)."""
