"""Bolt listeners, one module per kind (events: the Home tab, uninstalls; unfurls: prospect links'
previews and their button; functions: the Workflow Builder step); each acks at once and hands slow work
to the background."""

from slack_bolt import App

from bot.slack.listeners import actions, commands, events, functions, options, shortcuts, unfurls, views


def register_listeners(app: App) -> None:
    commands.register(app)
    shortcuts.register(app)
    views.register(app)
    actions.register(app)
    options.register(app)
    events.register(app)
    functions.register(app)
    unfurls.register(app)
