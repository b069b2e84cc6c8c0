"""Skeleton: the effects of the listening flows (issue 4)."""
