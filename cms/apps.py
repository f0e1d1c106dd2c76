from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "CMS"

    def ready(self) -> None:
        # The public front door shows pages, profiles, institutions, funding programs and
        # micro-credentials: any change to one makes every cached public page stale.
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Page, PageViewRestriction
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from matching.models import ExpertiseProfile, FundingProgram, Institution
        from ocip.public_cache import public_content_changed
        from projects.models import CredentialDefinition, Pathway, PathwayComponent

        page_published.connect(public_content_changed, dispatch_uid="public-cache-published")
        page_unpublished.connect(public_content_changed, dispatch_uid="public-cache-unpublished")
        post_page_move.connect(public_content_changed, dispatch_uid="public-cache-moved")
        post_delete.connect(public_content_changed, sender=Page, dispatch_uid="public-cache-page")
        public_models: list[type] = [ExpertiseProfile, FundingProgram, Institution]
        public_models += [CredentialDefinition, Pathway, PathwayComponent, PageViewRestriction]
        for model in public_models:
            for signal in (post_save, post_delete):
                signal.connect(
                    public_content_changed,
                    sender=model,
                    dispatch_uid=f"public-cache-{signal is post_save}-{model.__name__}",
                )
