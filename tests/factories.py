import itertools

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from diagnostics.models import Company, CompanyMembership
from matching.models import Institution, InstitutionMembership

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")


class CompanyMembershipFactory(DjangoModelFactory):
    class Meta:
        model = CompanyMembership

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    role = CompanyMembership.Role.OWNER


class InstitutionFactory(DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"institution-{n}")
    name = factory.Sequence(lambda n: f"Institution {n}")
    kind = Institution.Kind.COLLEGE
    city = "Ottawa"
    region = "Ottawa"
    languages = ["en"]


class InstitutionMembershipFactory(DjangoModelFactory):
    class Meta:
        model = InstitutionMembership

    institution = factory.SubFactory(InstitutionFactory)
    user = factory.SubFactory(UserFactory)
    role = InstitutionMembership.Role.RESEARCHER


def enrol_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


_program_numbers = itertools.count(1)


def add_funding_application(project, amount, status: str):
    """An application of `project` to a new active program, for `amount` CAD."""
    from matching.models import FundingProgram
    from projects.models import FundingApplication

    number = next(_program_numbers)
    program = FundingProgram.objects.create(
        slug=f"program-{number}",
        category=FundingProgram.Category.FEDERAL_GRANT,
        partner="Partner",
        name=f"Program {number}",
        status=FundingProgram.Status.ACTIVE,
    )
    return FundingApplication.objects.create(
        project=project, program=program, amount=amount, status=status
    )
