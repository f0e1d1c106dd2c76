from . import selectors


def unread_notifications(request) -> dict:
    """The unread count for the navigation: one COUNT query, signed-in users only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": selectors.unread_count(user)}
