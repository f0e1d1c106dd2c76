"""Input fields of the API that take only what they say: DRF's CharField reads 12 or 1e308 as
text and its IntegerField reads "12" or 12.0 as a number; these refuse the wrong JSON type,
and every text has a maximum length."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

# The largest id or version the database columns hold.
MAX_INTEGER = 2**31 - 1


class _EmptyIsGiven(serializers.Field):
    """DRF reads `?field=` in a query string as the field left out when it is not required; here
    it is the empty text that was sent, refused where text is required (a blank filter is no
    filter the schema offers: leave the parameter out)."""

    def get_value(self, dictionary):
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)


class _TextOnly(_EmptyIsGiven, serializers.CharField):
    """Text given as a JSON string: a number or a boolean is refused, not read as text."""

    default_error_messages = {"not_text": _("Give text (a JSON string).")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class Text(_TextOnly):
    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)


class Slug(_TextOnly, serializers.SlugField):
    def __init__(self, *, max_length: int = 100, **kwargs):
        super().__init__(max_length=max_length, **kwargs)


class Choice(_EmptyIsGiven, serializers.ChoiceField):
    """A choice given as its text value. The refusal does not repeat what was sent."""

    default_error_messages = {"invalid_choice": _("Choose one of: %(choices)s.")}

    def to_internal_value(self, data):
        if not isinstance(data, str) or data not in self.choice_strings_to_values:
            raise serializers.ValidationError(
                self.error_messages["invalid_choice"]
                % {"choices": ", ".join(self.choice_strings_to_values)},
                code="invalid_choice",
            )
        return self.choice_strings_to_values[data]


class Integer(serializers.IntegerField):
    default_error_messages = {"not_integer": _("Give a whole number (a JSON integer).")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", MAX_INTEGER)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_integer")
        return super().to_internal_value(data)


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string", "maxLength": 254}]})
class PersonRef(serializers.Field):
    """A person by user id (a JSON integer) or email address (a JSON string)."""

    default_error_messages = {"invalid": _("Give a user id (a whole number) or an email address.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        if isinstance(data, int) and not 1 <= data <= MAX_INTEGER:
            self.fail("invalid")
        if isinstance(data, str) and not 0 < len(data.strip()) <= 254:
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class Boolean(serializers.BooleanField):
    default_error_messages = {"not_boolean": _("Give true or false.")}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("not_boolean")
        return data
