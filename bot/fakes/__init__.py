"""Fakes of the services the app talks to, served over real HTTP on loopback (tests, demo, local runs)."""
