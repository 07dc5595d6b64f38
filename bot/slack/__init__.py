"""Everything Slack: the Bolt app, its listeners (thin, grouped by kind), Block Kit builders, runners."""
