"""The three enrichment stages: normalize, entities, classify."""
