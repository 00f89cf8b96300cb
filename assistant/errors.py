"""User errors: a message for the person, never a traceback."""


class AssistantError(Exception):
    """Something the user asked for cannot be done; str() says why in one line."""
