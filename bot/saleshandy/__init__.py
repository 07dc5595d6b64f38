"""The one HTTP client for the Saleshandy API."""
