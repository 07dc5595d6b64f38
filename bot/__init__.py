"""Create Saleshandy tasks from Slack."""
