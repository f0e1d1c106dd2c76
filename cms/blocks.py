"""The few blocks a public page's body is made of (one StreamBlock shared by every page type)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageBlock

from ocip.formatting import current_language, other_language

# Rich text keeps to what reads well and stays accessible: headings are their own block (so the
# outline is always h2/h3 under the page's one h1), no colours, no embedded media.
PARAGRAPH_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]

# Addresses of the site's own Django pages a call to action may lead to, by URL name: reversed
# in the reader's language, so a French page links to the French directory.
SITE_LINKS = [
    ("directory", _("Expertise directory")),
    ("public_institution_list", _("Member institutions")),
    ("funding_guide", _("Funding guide")),
    ("catalogue", _("Micro-credentials")),
    ("account_signup", _("Sign up as a business")),
    ("account_login", _("Log in")),
]


def site_link_url(name: str) -> str:
    """The address of one of SITE_LINKS ("" when that page does not exist in this build)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("text"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("level"),
        choices=[("h2", _("Section heading (h2)")), ("h3", _("Sub-heading (h3)"))],
        default="h2",
        help_text=_("The page title is the only h1: start sections with h2."),
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "cms/blocks/heading.html"


class CaptionedImageBlock(blocks.StructBlock):
    # Wagtail's ImageBlock refuses an image without alt text unless marked decorative.
    image = ImageBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=300)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image.html"


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    text = blocks.TextBlock(label=_("text"), required=False, max_length=400)
    link_text = blocks.CharBlock(label=_("link text"), max_length=80)
    page = blocks.PageChooserBlock(label=_("page of this site"), required=False)
    site_link = blocks.ChoiceBlock(
        label=_("or a tool of the platform"), choices=SITE_LINKS, required=False
    )
    url = blocks.URLBlock(label=_("or another address"), required=False)

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "cms/blocks/call_to_action.html"

    def clean(self, value):
        value = super().clean(value)
        chosen = [name for name in ("page", "site_link", "url") if value.get(name)]
        if len(chosen) != 1:
            message = ValidationError(
                _("Choose exactly one destination: a page, a tool or an address.")
            )
            raise StructBlockValidationError(non_block_errors=[message])
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["href"] = call_to_action_url(value)
        return context


def call_to_action_url(value) -> str:
    page = value.get("page")
    if page is not None:
        # The reader's language: the chosen page's live translation, when there is one.
        localized = page.localized
        shown = localized if localized.live else page
        return (shown.get_url() or "") if shown.live else ""  # a draft: the block hides
    if value.get("site_link"):
        return site_link_url(value["site_link"])
    return value.get("url") or ""


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("quote"), max_length=800)
    attribution = blocks.CharBlock(label=_("who said it"), max_length=120)
    role = blocks.CharBlock(label=_("their role"), required=False, max_length=160)

    class Meta:
        icon = "openquote"
        label = _("Quote or testimonial")
        template = "cms/blocks/quote.html"


class KeyFigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("figure"), max_length=20, help_text=_("For example 47 or $4M"))
    label = blocks.CharBlock(label=_("what it counts"), max_length=120)


class KeyFiguresBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=120)
    figures = blocks.ListBlock(KeyFigureBlock(), min_num=1, max_num=6, label=_("figures"))

    class Meta:
        icon = "table"
        label = _("Key figures")
        template = "cms/blocks/key_figures.html"


class FundingProgramsBlock(blocks.StructBlock):
    """The active funding programs, live from the data the matching engine reads."""

    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=120)
    intro = blocks.TextBlock(label=_("introduction"), required=False, max_length=600)

    class Meta:
        icon = "list-ul"
        label = _("Funding programs (from the funding guide)")
        template = "cms/blocks/funding_programs.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["programs"] = funding_program_entries(current_language())
        return context


def funding_program_entries(language: str) -> list[dict]:
    """One entry per program of the public funding guide, named in `language`; `lang` says the
    language a name is actually in (the English one when it has no French name)."""
    from matching.selectors import public_funding_programs

    entries = []
    for program in public_funding_programs():
        entries.append(
            {
                "slug": program.slug,
                "name": program.name_in(language),
                "name_lang": other_language(_written_in(language, program.name_fr), language),
                "partner": program.partner_in(language),
                "partner_lang": other_language(_written_in(language, program.partner_fr), language),
                "category": program.get_category_display(),
            }
        )
    return entries


def _written_in(language: str, french: str) -> str:
    """The language of a name given by name_in(language): French only where one is written."""
    return "fr" if language[:2] == "fr" and french else "en"


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=PARAGRAPH_FEATURES, icon="pilcrow"
    )
    image = CaptionedImageBlock()
    call_to_action = CallToActionBlock()
    quote = QuoteBlock()
    key_figures = KeyFiguresBlock()
    funding_programs = FundingProgramsBlock()

    class Meta:
        # Rendered one after the other, without a wrapper div per block.
        template = "cms/blocks/body.html"
