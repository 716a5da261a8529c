"""Classify stage: IPTC Media Topics with scores."""
