"""What the site's search forms share: the box for words and the wording of a refused choice."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CHOOSE_FROM_LIST = gettext_lazy("“%(value)s” is not one of the choices: choose one from the list.")


class WordsField(forms.CharField):
    """An optional search box of at most `max_length` characters and, if given, `max_words`
    words."""

    def __init__(self, *, max_words: int | None = None, max_length: int = 200, **kwargs):
        self.max_words = max_words
        super().__init__(
            required=False,
            max_length=max_length,
            error_messages={
                "max_length": gettext_lazy(
                    "Search with fewer words: at most %(limit_value)d characters."
                )
            },
            widget=forms.TextInput(attrs={"type": "search"}),
            **kwargs,
        )

    def clean(self, value):
        text = super().clean(value)
        if self.max_words is not None and len(text.split()) > self.max_words:
            raise forms.ValidationError(
                _("Search with at most %(limit)d words.") % {"limit": self.max_words}
            )
        return text
