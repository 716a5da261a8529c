"""Continuous ingestion: feeds, article pages, watched folders and stdin into `articles.raw`, each article once."""
