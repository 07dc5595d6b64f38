"""The one error the parsers raise."""


class ParseError(ValueError):
    """Text that is not what it should be; the message says what was not understood and what works."""
