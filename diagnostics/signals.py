"""Events other apps react to, so that diagnostics never imports the apps built on it."""

from django.dispatch import Signal

# Sent after the submission is committed, with `diagnostic_id`.
diagnostic_submitted = Signal()
