"""newsflow's Kafka plumbing: settings, topics, producer, broker, lag and the CLI."""
