"""The public site's page types, in English and French (one tree per locale, translations share a
translation_key). The page tree:

    HomePage (one per locale, the site root)
    ├── StandardPage (how it works, funding partners, accessibility, privacy, contact, ...)
    │   └── StandardPage
    ├── StoryIndexPage ── StoryPage (success stories)
    └── NewsIndexPage ── NewsPage
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import BodyBlock

INDEX_PAGE_SIZE = 10


class PublicPage(Page):
    """What every public page shares: a body of blocks and its search-engine fields (Wagtail's
    seo_title and search_description, and a social image)."""

    social_image: models.ForeignKey = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("social image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown when the page is shared (1200 × 630 pixels works best)."),
    )

    promote_panels = [
        *Page.promote_panels,
        MultiFieldPanel([FieldPanel("social_image")], heading=_("Sharing")),
    ]
    og_type = "website"

    class Meta:
        abstract = True

    def seo_description(self) -> str:
        """The page's description for search engines: its own, else its introduction."""
        return self.search_description or getattr(self, "intro", "") or getattr(self, "summary", "")


class HomePage(PublicPage):
    """The site root in each language."""

    intro: models.TextField = models.TextField(_("introduction"), blank=True, max_length=600)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.StandardPage", "cms.StoryIndexPage", "cms.NewsIndexPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")


class StandardPage(PublicPage):
    """A content page: how it works, funding partners, accessibility, privacy, contact."""

    intro: models.TextField = models.TextField(_("introduction"), blank=True, max_length=600)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    show_in_footer: models.BooleanField = models.BooleanField(
        _("show in footer"),
        default=False,
        help_text=_("Whether a link to this page appears in the site's footer."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    promote_panels = [
        *PublicPage.promote_panels,
        MultiFieldPanel([FieldPanel("show_in_footer")], heading=_("Footer")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("content page")


class IndexPage(PublicPage):
    """A listing of its live children in its own locale, newest first, paginated."""

    intro: models.TextField = models.TextField(_("introduction"), blank=True, max_length=600)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.HomePage"]
    max_count_per_parent = 1
    child_model: type[Page]

    def get_template(self, request, *args, **kwargs) -> str:
        return "cms/index_page.html"  # stories' and news' indexes look alike

    class Meta:
        abstract = True

    def entries(self):
        return (
            self.child_model.objects.live()
            .public()
            .child_of(self)
            .filter(locale_id=self.locale_id)
            .order_by("-date", "-pk")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.entries(), INDEX_PAGE_SIZE)
        context["page_obj"] = paginator.get_page(request.GET.get("page"))
        return context


class DatedPage(PublicPage):
    date: models.DateField = models.DateField(_("date"))
    summary: models.TextField = models.TextField(
        _("summary"), max_length=400, help_text=_("One or two sentences, shown in listings.")
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    subpage_types: list[str] = []
    og_type = "article"

    def get_template(self, request, *args, **kwargs) -> str:
        return "cms/dated_page.html"  # a story and a news item look alike

    class Meta:
        abstract = True


class StoryPage(DatedPage):
    """A success story: a business and an institution's project, told with public facts only."""

    institution_name: models.CharField = models.CharField(
        _("institution"), max_length=200, help_text=_("The college, university or institute.")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("institution_name"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [*DatedPage.search_fields, index.SearchField("institution_name")]
    parent_page_types = ["cms.StoryIndexPage"]

    class Meta:
        verbose_name = _("success story")
        verbose_name_plural = _("success stories")


class NewsPage(DatedPage):
    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")


class StoryIndexPage(IndexPage):
    subpage_types = ["cms.StoryPage"]
    child_model = StoryPage

    class Meta:
        verbose_name = _("success stories page")


class NewsIndexPage(IndexPage):
    subpage_types = ["cms.NewsPage"]
    child_model = NewsPage

    class Meta:
        verbose_name = _("news page")


def content_languages() -> list[str]:
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]
