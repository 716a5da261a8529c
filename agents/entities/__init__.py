"""Entities stage: PER, ORG, LOC and DATE mentions with canonical names."""
