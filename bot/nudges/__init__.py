"""Nudges: when each is due in a person's local rhythm, the kinds, and the tick that sends them."""
