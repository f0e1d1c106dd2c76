"""The public site: every page's body becomes a StreamField of blocks (the home pages' rich text
is carried over: each <h2> becomes a heading block, the text between them a paragraph block, in
the pages and in their revisions), pages get a social image, content pages a footer flag, and
success stories and news get their index and item page types."""

import json
import html as html_module
import re
import uuid

import django.db.models.deletion
import wagtail.fields
from django.db import migrations, models

HEADING = re.compile(r"<h2[^>]*>(.*?)</h2>", re.S)


def html_to_blocks(html: str) -> list[dict]:
    blocks = []
    position = 0
    for match in HEADING.finditer(html or ""):
        text = html[position : match.start()].strip()
        if text:
            blocks.append({"type": "paragraph", "value": text, "id": str(uuid.uuid4())})
        heading = html_module.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()
        blocks.append(
            {"type": "heading", "value": {"text": heading, "level": "h2"}, "id": str(uuid.uuid4())}
        )
        position = match.end()
    text = (html or "")[position:].strip()
    if text:
        blocks.append({"type": "paragraph", "value": text, "id": str(uuid.uuid4())})
    return blocks


def blocks_to_html(blocks: list[dict]) -> str:
    parts = []
    for block in blocks or []:
        if block.get("type") == "heading":
            parts.append(f"<h2>{html_module.escape(block['value']['text'])}</h2>")
        elif block.get("type") == "paragraph":
            parts.append(block["value"])
    return "".join(parts)


def _convert(apps, convert_page, convert_revision):
    Revision = apps.get_model("wagtailcore.Revision")
    for model_name in ("HomePage", "StandardPage"):
        model = apps.get_model("cms", model_name)
        for page in model.objects.all():
            convert_page(model, page)
        ids = [str(pk) for pk in model.objects.values_list("pk", flat=True)]
        for revision in Revision.objects.filter(
            object_id__in=ids, base_content_type__app_label="wagtailcore"
        ):
            content = dict(revision.content or {})
            if convert_revision(content):
                Revision.objects.filter(pk=revision.pk).update(content=content)


def rich_text_to_blocks(apps, schema_editor):
    def page(model, page):
        model.objects.filter(pk=page.pk).update(body=json.dumps(html_to_blocks(page.body_html)))

    def revision(content):
        if isinstance(content.get("body"), str) and not content["body"].startswith("["):
            content["body"] = json.dumps(html_to_blocks(content["body"]))
            return True
        return False

    _convert(apps, page, revision)


def blocks_to_rich_text(apps, schema_editor):
    def page(model, page):
        raw = page.body.raw_data if page.body else []
        model.objects.filter(pk=page.pk).update(body_html=blocks_to_html(list(raw)))

    def revision(content):
        if isinstance(content.get("body"), str) and content["body"].startswith("["):
            content["body"] = blocks_to_html(json.loads(content["body"]))
            return True
        return False

    _convert(apps, page, revision)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_home_page_diagnostic_duration"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="standardpage",
            options={"verbose_name": "content page"},
        ),
        migrations.AddField(
            model_name="homepage",
            name="social_image",
            field=models.ForeignKey(
                blank=True,
                help_text="Shown when the page is shared (1200 × 630 pixels works best).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="wagtailimages.image",
                verbose_name="social image",
            ),
        ),
        migrations.AddField(
            model_name="standardpage",
            name="show_in_footer",
            field=models.BooleanField(
                default=False,
                help_text="Whether a link to this page appears in the site's footer.",
                verbose_name="show in footer",
            ),
        ),
        migrations.AddField(
            model_name="standardpage",
            name="social_image",
            field=models.ForeignKey(
                blank=True,
                help_text="Shown when the page is shared (1200 × 630 pixels works best).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="wagtailimages.image",
                verbose_name="social image",
            ),
        ),
        migrations.RenameField(model_name="homepage", old_name="body", new_name="body_html"),
        migrations.AddField(
            model_name="homepage",
            name="body",
            field=wagtail.fields.StreamField(
                [
                    ("heading", 2),
                    ("paragraph", 3),
                    ("image", 6),
                    ("call_to_action", 13),
                    ("quote", 17),
                    ("key_figures", 23),
                    ("funding_programs", 25),
                ],
                blank=True,
                block_lookup={
                    0: ("wagtail.blocks.CharBlock", (), {"label": "text", "max_length": 200}),
                    1: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("h2", "Section heading (h2)"), ("h3", "Sub-heading (h3)")],
                            "help_text": "The page title is the only h1: start sections with h2.",
                            "label": "level",
                        },
                    ),
                    2: ("wagtail.blocks.StructBlock", [[("text", 0), ("level", 1)]], {}),
                    3: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {
                            "features": ["bold", "italic", "link", "document-link", "ol", "ul"],
                            "icon": "pilcrow",
                            "label": "Paragraph",
                        },
                    ),
                    4: ("wagtail.images.blocks.ImageBlock", [], {"label": "image"}),
                    5: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "caption", "max_length": 300, "required": False},
                    ),
                    6: ("wagtail.blocks.StructBlock", [[("image", 4), ("caption", 5)]], {}),
                    7: ("wagtail.blocks.CharBlock", (), {"label": "heading", "max_length": 120}),
                    8: (
                        "wagtail.blocks.TextBlock",
                        (),
                        {"label": "text", "max_length": 400, "required": False},
                    ),
                    9: ("wagtail.blocks.CharBlock", (), {"label": "link text", "max_length": 80}),
                    10: (
                        "wagtail.blocks.PageChooserBlock",
                        (),
                        {"label": "page of this site", "required": False},
                    ),
                    11: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [
                                ("directory", "Expertise directory"),
                                ("public_institution_list", "Member institutions"),
                                ("funding_guide", "Funding guide"),
                                ("catalogue", "Micro-credentials"),
                                ("account_signup", "Sign up as a business"),
                                ("account_login", "Log in"),
                            ],
                            "label": "or a tool of the platform",
                            "required": False,
                        },
                    ),
                    12: (
                        "wagtail.blocks.URLBlock",
                        (),
                        {"label": "or another address", "required": False},
                    ),
                    13: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("heading", 7),
                                ("text", 8),
                                ("link_text", 9),
                                ("page", 10),
                                ("site_link", 11),
                                ("url", 12),
                            ]
                        ],
                        {},
                    ),
                    14: ("wagtail.blocks.TextBlock", (), {"label": "quote", "max_length": 800}),
                    15: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "who said it", "max_length": 120},
                    ),
                    16: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "their role", "max_length": 160, "required": False},
                    ),
                    17: (
                        "wagtail.blocks.StructBlock",
                        [[("quote", 14), ("attribution", 15), ("role", 16)]],
                        {},
                    ),
                    18: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "heading", "max_length": 120, "required": False},
                    ),
                    19: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"help_text": "For example 47 or $4M", "label": "figure", "max_length": 20},
                    ),
                    20: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "what it counts", "max_length": 120},
                    ),
                    21: ("wagtail.blocks.StructBlock", [[("value", 19), ("label", 20)]], {}),
                    22: (
                        "wagtail.blocks.ListBlock",
                        (21,),
                        {"label": "figures", "max_num": 6, "min_num": 1},
                    ),
                    23: ("wagtail.blocks.StructBlock", [[("heading", 18), ("figures", 22)]], {}),
                    24: (
                        "wagtail.blocks.TextBlock",
                        (),
                        {"label": "introduction", "max_length": 600, "required": False},
                    ),
                    25: ("wagtail.blocks.StructBlock", [[("heading", 18), ("intro", 24)]], {}),
                },
                verbose_name="body",
            ),
        ),
        migrations.RenameField(model_name="standardpage", old_name="body", new_name="body_html"),
        migrations.AddField(
            model_name="standardpage",
            name="body",
            field=wagtail.fields.StreamField(
                [
                    ("heading", 2),
                    ("paragraph", 3),
                    ("image", 6),
                    ("call_to_action", 13),
                    ("quote", 17),
                    ("key_figures", 23),
                    ("funding_programs", 25),
                ],
                blank=True,
                block_lookup={
                    0: ("wagtail.blocks.CharBlock", (), {"label": "text", "max_length": 200}),
                    1: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("h2", "Section heading (h2)"), ("h3", "Sub-heading (h3)")],
                            "help_text": "The page title is the only h1: start sections with h2.",
                            "label": "level",
                        },
                    ),
                    2: ("wagtail.blocks.StructBlock", [[("text", 0), ("level", 1)]], {}),
                    3: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {
                            "features": ["bold", "italic", "link", "document-link", "ol", "ul"],
                            "icon": "pilcrow",
                            "label": "Paragraph",
                        },
                    ),
                    4: ("wagtail.images.blocks.ImageBlock", [], {"label": "image"}),
                    5: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "caption", "max_length": 300, "required": False},
                    ),
                    6: ("wagtail.blocks.StructBlock", [[("image", 4), ("caption", 5)]], {}),
                    7: ("wagtail.blocks.CharBlock", (), {"label": "heading", "max_length": 120}),
                    8: (
                        "wagtail.blocks.TextBlock",
                        (),
                        {"label": "text", "max_length": 400, "required": False},
                    ),
                    9: ("wagtail.blocks.CharBlock", (), {"label": "link text", "max_length": 80}),
                    10: (
                        "wagtail.blocks.PageChooserBlock",
                        (),
                        {"label": "page of this site", "required": False},
                    ),
                    11: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [
                                ("directory", "Expertise directory"),
                                ("public_institution_list", "Member institutions"),
                                ("funding_guide", "Funding guide"),
                                ("catalogue", "Micro-credentials"),
                                ("account_signup", "Sign up as a business"),
                                ("account_login", "Log in"),
                            ],
                            "label": "or a tool of the platform",
                            "required": False,
                        },
                    ),
                    12: (
                        "wagtail.blocks.URLBlock",
                        (),
                        {"label": "or another address", "required": False},
                    ),
                    13: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("heading", 7),
                                ("text", 8),
                                ("link_text", 9),
                                ("page", 10),
                                ("site_link", 11),
                                ("url", 12),
                            ]
                        ],
                        {},
                    ),
                    14: ("wagtail.blocks.TextBlock", (), {"label": "quote", "max_length": 800}),
                    15: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "who said it", "max_length": 120},
                    ),
                    16: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "their role", "max_length": 160, "required": False},
                    ),
                    17: (
                        "wagtail.blocks.StructBlock",
                        [[("quote", 14), ("attribution", 15), ("role", 16)]],
                        {},
                    ),
                    18: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "heading", "max_length": 120, "required": False},
                    ),
                    19: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"help_text": "For example 47 or $4M", "label": "figure", "max_length": 20},
                    ),
                    20: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "what it counts", "max_length": 120},
                    ),
                    21: ("wagtail.blocks.StructBlock", [[("value", 19), ("label", 20)]], {}),
                    22: (
                        "wagtail.blocks.ListBlock",
                        (21,),
                        {"label": "figures", "max_num": 6, "min_num": 1},
                    ),
                    23: ("wagtail.blocks.StructBlock", [[("heading", 18), ("figures", 22)]], {}),
                    24: (
                        "wagtail.blocks.TextBlock",
                        (),
                        {"label": "introduction", "max_length": 600, "required": False},
                    ),
                    25: ("wagtail.blocks.StructBlock", [[("heading", 18), ("intro", 24)]], {}),
                },
                verbose_name="body",
            ),
        ),
        migrations.CreateModel(
            name="NewsIndexPage",
            fields=[
                (
                    "page_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.page",
                    ),
                ),
                (
                    "intro",
                    models.TextField(blank=True, max_length=600, verbose_name="introduction"),
                ),
                (
                    "social_image",
                    models.ForeignKey(
                        blank=True,
                        help_text="Shown when the page is shared (1200 × 630 pixels works best).",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="wagtailimages.image",
                        verbose_name="social image",
                    ),
                ),
            ],
            options={
                "verbose_name": "news page",
            },
            bases=("wagtailcore.page",),
        ),
        migrations.CreateModel(
            name="NewsPage",
            fields=[
                (
                    "page_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.page",
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                (
                    "summary",
                    models.TextField(
                        help_text="One or two sentences, shown in listings.",
                        max_length=400,
                        verbose_name="summary",
                    ),
                ),
                (
                    "body",
                    wagtail.fields.StreamField(
                        [
                            ("heading", 2),
                            ("paragraph", 3),
                            ("image", 6),
                            ("call_to_action", 13),
                            ("quote", 17),
                            ("key_figures", 23),
                            ("funding_programs", 25),
                        ],
                        blank=True,
                        block_lookup={
                            0: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "text", "max_length": 200},
                            ),
                            1: (
                                "wagtail.blocks.ChoiceBlock",
                                [],
                                {
                                    "choices": [
                                        ("h2", "Section heading (h2)"),
                                        ("h3", "Sub-heading (h3)"),
                                    ],
                                    "help_text": "The page title is the only h1: start sections with h2.",
                                    "label": "level",
                                },
                            ),
                            2: ("wagtail.blocks.StructBlock", [[("text", 0), ("level", 1)]], {}),
                            3: (
                                "wagtail.blocks.RichTextBlock",
                                (),
                                {
                                    "features": [
                                        "bold",
                                        "italic",
                                        "link",
                                        "document-link",
                                        "ol",
                                        "ul",
                                    ],
                                    "icon": "pilcrow",
                                    "label": "Paragraph",
                                },
                            ),
                            4: ("wagtail.images.blocks.ImageBlock", [], {"label": "image"}),
                            5: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "caption", "max_length": 300, "required": False},
                            ),
                            6: ("wagtail.blocks.StructBlock", [[("image", 4), ("caption", 5)]], {}),
                            7: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "heading", "max_length": 120},
                            ),
                            8: (
                                "wagtail.blocks.TextBlock",
                                (),
                                {"label": "text", "max_length": 400, "required": False},
                            ),
                            9: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "link text", "max_length": 80},
                            ),
                            10: (
                                "wagtail.blocks.PageChooserBlock",
                                (),
                                {"label": "page of this site", "required": False},
                            ),
                            11: (
                                "wagtail.blocks.ChoiceBlock",
                                [],
                                {
                                    "choices": [
                                        ("directory", "Expertise directory"),
                                        ("public_institution_list", "Member institutions"),
                                        ("funding_guide", "Funding guide"),
                                        ("catalogue", "Micro-credentials"),
                                        ("account_signup", "Sign up as a business"),
                                        ("account_login", "Log in"),
                                    ],
                                    "label": "or a tool of the platform",
                                    "required": False,
                                },
                            ),
                            12: (
                                "wagtail.blocks.URLBlock",
                                (),
                                {"label": "or another address", "required": False},
                            ),
                            13: (
                                "wagtail.blocks.StructBlock",
                                [
                                    [
                                        ("heading", 7),
                                        ("text", 8),
                                        ("link_text", 9),
                                        ("page", 10),
                                        ("site_link", 11),
                                        ("url", 12),
                                    ]
                                ],
                                {},
                            ),
                            14: (
                                "wagtail.blocks.TextBlock",
                                (),
                                {"label": "quote", "max_length": 800},
                            ),
                            15: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "who said it", "max_length": 120},
                            ),
                            16: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "their role", "max_length": 160, "required": False},
                            ),
                            17: (
                                "wagtail.blocks.StructBlock",
                                [[("quote", 14), ("attribution", 15), ("role", 16)]],
                                {},
                            ),
                            18: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "heading", "max_length": 120, "required": False},
                            ),
                            19: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {
                                    "help_text": "For example 47 or $4M",
                                    "label": "figure",
                                    "max_length": 20,
                                },
                            ),
                            20: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "what it counts", "max_length": 120},
                            ),
                            21: (
                                "wagtail.blocks.StructBlock",
                                [[("value", 19), ("label", 20)]],
                                {},
                            ),
                            22: (
                                "wagtail.blocks.ListBlock",
                                (21,),
                                {"label": "figures", "max_num": 6, "min_num": 1},
                            ),
                            23: (
                                "wagtail.blocks.StructBlock",
                                [[("heading", 18), ("figures", 22)]],
                                {},
                            ),
                            24: (
                                "wagtail.blocks.TextBlock",
                                (),
                                {"label": "introduction", "max_length": 600, "required": False},
                            ),
                            25: (
                                "wagtail.blocks.StructBlock",
                                [[("heading", 18), ("intro", 24)]],
                                {},
                            ),
                        },
                        verbose_name="body",
                    ),
                ),
                (
                    "social_image",
                    models.ForeignKey(
                        blank=True,
                        help_text="Shown when the page is shared (1200 × 630 pixels works best).",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="wagtailimages.image",
                        verbose_name="social image",
                    ),
                ),
            ],
            options={
                "verbose_name": "news item",
                "verbose_name_plural": "news items",
            },
            bases=("wagtailcore.page",),
        ),
        migrations.CreateModel(
            name="StoryIndexPage",
            fields=[
                (
                    "page_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.page",
                    ),
                ),
                (
                    "intro",
                    models.TextField(blank=True, max_length=600, verbose_name="introduction"),
                ),
                (
                    "social_image",
                    models.ForeignKey(
                        blank=True,
                        help_text="Shown when the page is shared (1200 × 630 pixels works best).",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="wagtailimages.image",
                        verbose_name="social image",
                    ),
                ),
            ],
            options={
                "verbose_name": "success stories page",
            },
            bases=("wagtailcore.page",),
        ),
        migrations.CreateModel(
            name="StoryPage",
            fields=[
                (
                    "page_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.page",
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                (
                    "summary",
                    models.TextField(
                        help_text="One or two sentences, shown in listings.",
                        max_length=400,
                        verbose_name="summary",
                    ),
                ),
                (
                    "body",
                    wagtail.fields.StreamField(
                        [
                            ("heading", 2),
                            ("paragraph", 3),
                            ("image", 6),
                            ("call_to_action", 13),
                            ("quote", 17),
                            ("key_figures", 23),
                            ("funding_programs", 25),
                        ],
                        blank=True,
                        block_lookup={
                            0: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "text", "max_length": 200},
                            ),
                            1: (
                                "wagtail.blocks.ChoiceBlock",
                                [],
                                {
                                    "choices": [
                                        ("h2", "Section heading (h2)"),
                                        ("h3", "Sub-heading (h3)"),
                                    ],
                                    "help_text": "The page title is the only h1: start sections with h2.",
                                    "label": "level",
                                },
                            ),
                            2: ("wagtail.blocks.StructBlock", [[("text", 0), ("level", 1)]], {}),
                            3: (
                                "wagtail.blocks.RichTextBlock",
                                (),
                                {
                                    "features": [
                                        "bold",
                                        "italic",
                                        "link",
                                        "document-link",
                                        "ol",
                                        "ul",
                                    ],
                                    "icon": "pilcrow",
                                    "label": "Paragraph",
                                },
                            ),
                            4: ("wagtail.images.blocks.ImageBlock", [], {"label": "image"}),
                            5: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "caption", "max_length": 300, "required": False},
                            ),
                            6: ("wagtail.blocks.StructBlock", [[("image", 4), ("caption", 5)]], {}),
                            7: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "heading", "max_length": 120},
                            ),
                            8: (
                                "wagtail.blocks.TextBlock",
                                (),
                                {"label": "text", "max_length": 400, "required": False},
                            ),
                            9: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "link text", "max_length": 80},
                            ),
                            10: (
                                "wagtail.blocks.PageChooserBlock",
                                (),
                                {"label": "page of this site", "required": False},
                            ),
                            11: (
                                "wagtail.blocks.ChoiceBlock",
                                [],
                                {
                                    "choices": [
                                        ("directory", "Expertise directory"),
                                        ("public_institution_list", "Member institutions"),
                                        ("funding_guide", "Funding guide"),
                                        ("catalogue", "Micro-credentials"),
                                        ("account_signup", "Sign up as a business"),
                                        ("account_login", "Log in"),
                                    ],
                                    "label": "or a tool of the platform",
                                    "required": False,
                                },
                            ),
                            12: (
                                "wagtail.blocks.URLBlock",
                                (),
                                {"label": "or another address", "required": False},
                            ),
                            13: (
                                "wagtail.blocks.StructBlock",
                                [
                                    [
                                        ("heading", 7),
                                        ("text", 8),
                                        ("link_text", 9),
                                        ("page", 10),
                                        ("site_link", 11),
                                        ("url", 12),
                                    ]
                                ],
                                {},
                            ),
                            14: (
                                "wagtail.blocks.TextBlock",
                                (),
                                {"label": "quote", "max_length": 800},
                            ),
                            15: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "who said it", "max_length": 120},
                            ),
                            16: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "their role", "max_length": 160, "required": False},
                            ),
                            17: (
                                "wagtail.blocks.StructBlock",
                                [[("quote", 14), ("attribution", 15), ("role", 16)]],
                                {},
                            ),
                            18: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "heading", "max_length": 120, "required": False},
                            ),
                            19: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {
                                    "help_text": "For example 47 or $4M",
                                    "label": "figure",
                                    "max_length": 20,
                                },
                            ),
                            20: (
                                "wagtail.blocks.CharBlock",
                                (),
                                {"label": "what it counts", "max_length": 120},
                            ),
                            21: (
                                "wagtail.blocks.StructBlock",
                                [[("value", 19), ("label", 20)]],
                                {},
                            ),
                            22: (
                                "wagtail.blocks.ListBlock",
                                (21,),
                                {"label": "figures", "max_num": 6, "min_num": 1},
                            ),
                            23: (
                                "wagtail.blocks.StructBlock",
                                [[("heading", 18), ("figures", 22)]],
                                {},
                            ),
                            24: (
                                "wagtail.blocks.TextBlock",
                                (),
                                {"label": "introduction", "max_length": 600, "required": False},
                            ),
                            25: (
                                "wagtail.blocks.StructBlock",
                                [[("heading", 18), ("intro", 24)]],
                                {},
                            ),
                        },
                        verbose_name="body",
                    ),
                ),
                (
                    "institution_name",
                    models.CharField(
                        help_text="The college, university or institute.",
                        max_length=200,
                        verbose_name="institution",
                    ),
                ),
                (
                    "social_image",
                    models.ForeignKey(
                        blank=True,
                        help_text="Shown when the page is shared (1200 × 630 pixels works best).",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="wagtailimages.image",
                        verbose_name="social image",
                    ),
                ),
            ],
            options={
                "verbose_name": "success story",
                "verbose_name_plural": "success stories",
            },
            bases=("wagtailcore.page",),
        ),
        migrations.RunPython(rich_text_to_blocks, blocks_to_rich_text),
        migrations.RemoveField(model_name="homepage", name="body_html"),
        migrations.RemoveField(model_name="standardpage", name="body_html"),
    ]
