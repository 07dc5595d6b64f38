"""Block Kit as small pure functions: values in, message and view dicts out."""
