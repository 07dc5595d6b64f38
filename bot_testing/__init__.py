"""Fakes of Slack and Saleshandy served over real HTTP on loopback, for tests, the demo and local runs."""
