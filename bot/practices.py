"""Skeleton: the effects of the practices flows (issue 4)."""
