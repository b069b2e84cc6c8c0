"""Skeleton: the effects of the responsibility flows (issue 4)."""
