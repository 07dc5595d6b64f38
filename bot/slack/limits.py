"""Slack's documented limits that the app's messages, views and options keep, each named once.

Block Kit reference: https://api.slack.com/reference/block-kit (text objects, blocks, options, views).
"""

TEXT_MAX_CHARS = 3000
"""A text object (a section's text, a context element) and a plain-text input's value."""
PRIVATE_METADATA_MAX_CHARS = 3000
"""A view's `private_metadata`."""
MESSAGE_BLOCKS_MAX = 50
"""Blocks in one message."""
OPTION_TEXT_MAX_CHARS = 75
"""An option's text in a select menu."""
OPTION_VALUE_MAX_CHARS = 150
"""An option's value."""
