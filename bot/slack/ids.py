"""Every command, callback, block and action id, in one place so listeners and builders agree."""

TASK_COMMAND = "/task"

TASK_MODAL_CALLBACK_ID = "saleshandy_task_modal"
MESSAGE_SHORTCUT_CALLBACK_ID = "create_saleshandy_task"
CREATE_TASK_STEP_CALLBACK_ID = "create_saleshandy_task_step"
"""The Workflow Builder step (the manifest's `functions` key; its inputs: bot/slack/workflow_step.py)."""

TASK_TYPE_BLOCK_ID = "task_type"
TASK_TYPE_ACTION_ID = "task_type_select"
PROSPECT_PICKER_BLOCK_ID = "prospect_picker"
PROSPECT_PICKER_ACTION_ID = "prospect_picker_select"
"""The type-ahead prospect picker: its suggestions come from the `options` listener of this action."""
PROSPECTS_BLOCK_ID = "prospects"
PROSPECTS_ACTION_ID = "prospects_input"
DUE_DATE_BLOCK_ID = "due_date"
DUE_DATE_ACTION_ID = "due_date_picker"
PRIORITY_BLOCK_ID = "priority"
PRIORITY_ACTION_ID = "priority_select"
NOTE_BLOCK_ID = "note"
NOTE_ACTION_ID = "note_input"

RETRY_FAILED_ACTION_ID = "retry_failed"
RETRY_FAILED_BLOCK_ID = "retry_failed"
"""The actions block holding the retry button."""

MODAL_NOTICES_BLOCK_ID = "notices"

# ---- accounts: App Home, connecting Saleshandy ---------------------------------------------------

HOME_CONNECT_ACTION_ID = "home_connect_saleshandy"
HOME_DISCONNECT_ACTION_ID = "home_disconnect_saleshandy"
HOME_CREATE_DRAFT_ACTION_ID = "home_create_kept_draft"
"""Creates the tasks a rep asked for before connecting (the button's value is the kept draft's token)."""
HOME_SET_WORKSPACE_KEY_ACTION_ID = "home_set_workspace_key"
HOME_REMOVE_WORKSPACE_KEY_ACTION_ID = "home_remove_workspace_key"
HOME_ACCOUNT_BLOCK_ID = "home_account"
HOME_WORKSPACE_BLOCK_ID = "home_workspace_key"
HOME_DRAFT_BLOCK_ID = "home_kept_draft"
HOME_RECENT_BLOCK_ID = "home_recent"
OPEN_HOME_ACTION_ID = "open_app_home"
"""A link button to the Home tab; Slack still tells the app it was pressed, which is acked and ignored."""

CONNECT_MODAL_CALLBACK_ID = "connect_saleshandy_modal"
CONNECT_KEY_BLOCK_ID = "saleshandy_api_key"
CONNECT_KEY_ACTION_ID = "saleshandy_api_key_input"
CONNECT_FOR_WORKSPACE = "workspace"
"""The connect modal's private_metadata when an admin sets the workspace's key (else the rep's own)."""
CONNECT_PROMPT_CALLBACK_ID = "connect_saleshandy_first"
"""The modal a form becomes when its rep has no Saleshandy key: how to connect (the draft is kept)."""

HOME_EDIT_DEFAULTS_ACTION_ID = "home_edit_defaults"
HOME_DEFAULTS_BLOCK_ID = "home_defaults"
DEFAULTS_MODAL_CALLBACK_ID = "rep_defaults_modal"
DEFAULTS_DUE_BLOCK_ID = "default_due"
DEFAULTS_DUE_ACTION_ID = "default_due_input"
"""The defaults form reuses the task form's type and priority block and action ids (read the same way)."""

# ---- more doors: link previews, the global shortcut, App Home's form ------------------------------

GLOBAL_SHORTCUT_CALLBACK_ID = "new_saleshandy_task"
"""The ⚡ shortcut *New Saleshandy task*: the form from anywhere, results by DM."""
HOME_CREATE_TASK_ACTION_ID = "home_create_task"
"""App Home's *Create a task*: the same form as the global shortcut, results by DM."""
HOME_CREATE_TASK_BLOCK_ID = "home_create_task"
UNFURL_CREATE_TASK_ACTION_ID = "unfurl_create_task"
"""*Create task* in a prospect link's preview: the form with every prospect link of that message."""
UNFURL_BLOCK_ID = "prospect_link_preview"
